public import Foundation
public import PierCrypto
public import PierHTTP

/// The provider's signing keys (JWKS), cached, with a rate-limited refetch when a token names an
/// unknown `kid` (Okta rotates keys without notice; REFERENCE §8.4).
///
/// A lookup refetches when the `kid` is not cached or the cache is older than its lifetime (the
/// response's `Cache-Control: max-age`, else ``defaultLifetime``) — but never sooner than
/// ``minimumRefetchInterval`` after the previous fetch attempt. Inside that interval an unknown `kid` is
/// rejected at once, so a stream of forged tokens cannot make Pier hammer Okta. Concurrent lookups
/// share one fetch.
public actor OIDCKeySet {
    /// The JWKS URL (from discovery).
    public let jwksURI: String
    /// The least time between two fetches triggered by unknown key ids.
    public let minimumRefetchInterval: TimeInterval
    /// Cache lifetime when the response has no usable `max-age`.
    public let defaultLifetime: TimeInterval

    private let httpClient: any HTTPClient
    private let now: @Sendable () -> Date
    private let timeout: Duration
    private var keys: [String: RSAPublicKey] = [:]
    private var fetchedAt: Date?
    private var expiresAt: Date?
    private var inFlight: Task<Void, any Error>?
    private var fetches = 0

    /// Creates an empty key set; the first lookup fetches.
    public init(
        jwksURI: String, httpClient: any HTTPClient, minimumRefetchInterval: TimeInterval = 60, defaultLifetime: TimeInterval = 3600,
        timeout: Duration = .seconds(15), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.jwksURI = jwksURI
        self.httpClient = httpClient
        self.minimumRefetchInterval = minimumRefetchInterval
        self.defaultLifetime = defaultLifetime
        self.timeout = timeout
        self.now = now
    }

    /// How many times the JWKS was fetched (for tests and metrics).
    public var fetchCount: Int { fetches }

    /// The key ids currently cached.
    public var cachedKeyIDs: Set<String> { Set(keys.keys) }

    /// The verifying key for `kid`.
    ///
    /// - Throws: ``OktaError`` ``OktaError/Code/idTokenRejected`` with ``OktaError/IDTokenRejection/unknownKey``
    ///   when the key is not published (or a refetch is not yet allowed); transport/HTTP classes when a
    ///   needed fetch fails.
    public func key(for kid: String) async throws -> RSAPublicKey {
        let current = now()
        let expired = expiresAt.map { current >= $0 } ?? true
        if !expired, let key = keys[kid] { return key }
        // Joining a fetch already under way costs nothing; a new fetch waits for the interval.
        let mayRefetch = inFlight != nil || (fetchedAt.map { current.timeIntervalSince($0) >= minimumRefetchInterval } ?? true)
        if mayRefetch {
            try await refresh()
        }
        // An expired cache inside the refetch interval still serves the keys it has.
        guard let key = keys[kid] else {
            throw OktaError.idToken(
                .unknownKey, mayRefetch ? "kid \(kid) is not in the provider's JWKS" : "kid \(kid) unknown; JWKS refetch rate-limited")
        }
        return key
    }

    /// Fetches the JWKS now (sharing a fetch already under way).
    public func refresh() async throws {
        if let inFlight {
            return try await inFlight.value
        }
        let task = Task { try await self.fetch() }
        inFlight = task
        defer { inFlight = nil }
        try await task.value
    }

    private struct Document: Decodable {
        struct Key: Decodable {
            var kty: String?
            var use: String?
            var alg: String?
            var kid: String?
            var n: String?
            var e: String?
        }

        var keys: [Key]
    }

    private func fetch() async throws {
        fetches += 1
        // The attempt counts for rate limiting even when it fails.
        let started = now()
        fetchedAt = started
        let response = try await OIDCTransport.send(
            HTTPClientRequest(url: jwksURI, headers: [("Accept", "application/json")], totalTimeout: timeout), using: httpClient)
        try OIDCTransport.requireJSONSuccess(response)
        guard let document = try? JSONDecoder().decode(Document.self, from: response.body) else {
            throw OktaError(.decoding, detail: "JWKS without a keys array", status: response.status)
        }
        var fresh: [String: RSAPublicKey] = [:]
        for entry in document.keys {
            // Only RSA signing keys for RS256; others (encryption keys, other algorithms) are ignored.
            guard entry.kty == "RSA", entry.use == nil || entry.use == "sig", entry.alg == nil || entry.alg == "RS256",
                let kid = entry.kid, let n = entry.n, let e = entry.e,
                let key = try? RSAPublicKey(jwkModulus: n, exponent: e, keyID: kid)
            else { continue }
            fresh[kid] = key
        }
        keys = fresh
        expiresAt = started.addingTimeInterval(Self.maxAge(response.header(named: "Cache-Control")) ?? defaultLifetime)
    }

    /// `max-age` of a `Cache-Control` value, capped at one day.
    static func maxAge(_ header: String?) -> TimeInterval? {
        guard let header else { return nil }
        for directive in header.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "max-age",
                let seconds = Int(parts[1].trimmingCharacters(in: .whitespaces)), seconds >= 0
            else { continue }
            return TimeInterval(min(seconds, 86_400))
        }
        return nil
    }
}
