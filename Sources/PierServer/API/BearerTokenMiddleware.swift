import Foundation
import PierCore
import PierHTTP
import PierLogging
import PierStorage
import Synchronization

/// Authenticates `/api/v1` requests by `Authorization: Bearer <api token>` and stores the proven
/// ``APIIdentity`` in the context; answers 401 `unauthorized` (with `WWW-Authenticate: Bearer`) for a
/// missing, malformed, unknown or revoked token, so no handler behind it runs unauthenticated.
///
/// The token is looked up by its SHA-256 (see ``APITokenIssuer``). The last-use time is written at most
/// once per ``lastUseResolution`` per token, so a busy script does not turn every read into a write.
///
/// With `browserSignIn` (the status page at `/`) it also takes HTTP Basic credentials whose password (or,
/// when that is empty, user name) is the API token, and its 401s challenge with `Basic`, so a browser asks
/// for them.
struct BearerTokenMiddleware: Middleware {
    let store: any APITokenStore
    let now: @Sendable () -> Date
    let lastUse: LastUseThrottle
    let browserSignIn: Bool

    init(
        store: any APITokenStore, lastUseResolution: Duration = .seconds(60), browserSignIn: Bool = false,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.now = now
        self.lastUse = LastUseThrottle(resolution: TimeInterval(lastUseResolution.components.seconds))
        self.browserSignIn = browserSignIn
    }

    func handle(_ request: Request, context: RequestContext, next: Handler) async throws -> Response {
        let identity: APIIdentity
        do {
            identity = try await authenticate(request, context: context)
        } catch var error as APIError where browserSignIn && error.status == .unauthorized {
            error.headers = ["WWW-Authenticate": #"Basic realm="pier", charset="UTF-8""#]
            error.message = "Sign in with any user name and an API token as the password (create one with `pier admin token create`)."
            throw error
        }
        var context = context
        context[APIIdentityKey.self] = identity
        context.logger[metadataKey: "api_token.id"] = identity.tokenID.rawValue
        return try await next(request, context)
    }

    /// The proven identity of the request's token, or a 401 ``APIError``.
    func authenticate(_ request: Request, context: RequestContext) async throws -> APIIdentity {
        guard let header = request.headers["Authorization"] else { throw APIError.missingCredentials() }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let token: String
        if parts.count == 2, parts[0].lowercased() == "bearer" {
            token = parts[1].trimmingCharacters(in: .whitespaces)
        } else if browserSignIn, parts.count == 2, parts[0].lowercased() == "basic" {
            token = Self.basicToken(String(parts[1])) ?? ""
        } else {
            throw APIError.unauthorized("The Authorization header must be 'Bearer <api token>'.", error: "invalid_request")
        }
        guard APITokenIssuer.isWellFormed(token), let record = try await store.apiToken(hash: APITokenIssuer.hash(token)) else {
            throw APIError.unauthorized("The API token is not valid.")
        }
        guard record.isActive else { throw APIError.unauthorized("The API token has been revoked.") }

        let date = now()
        if lastUse.shouldRecord(record.id, at: date, stored: record.lastUsedAt) {
            do {
                try await store.markAPITokenUsed(record.id, at: date)
            } catch {
                // Deliberately not fatal: a failed bookkeeping write must not refuse a valid request.
                context.logger.warning("Could not record API token use", metadata: ["api_token.id": record.id.rawValue, "error": "\(error)"])
            }
        }
        return APIIdentity(tokenID: record.id, tokenName: record.name)
    }

    /// The token in HTTP Basic credentials (`base64(user:password)`): the password, or the user name when
    /// the password is empty; nil when they do not decode.
    static func basicToken(_ credentials: String) -> String? {
        guard let data = Data(base64Encoded: credentials.trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        let password = text[text.index(after: colon)...]
        return String(password.isEmpty ? text[..<colon] : password)
    }
}

/// Remembers when each token's use was last written, so writes happen at most once per `resolution`.
final class LastUseThrottle: Sendable {
    let resolution: TimeInterval
    private let written = Mutex<[APITokenID: Date]>([:])

    init(resolution: TimeInterval) { self.resolution = resolution }

    /// Whether a use at `date` should be written, given the stored value; claims the slot if so.
    func shouldRecord(_ id: APITokenID, at date: Date, stored: Date?) -> Bool {
        written.withLock { written in
            let last = [written[id], stored].compactMap { $0 }.max()
            if let last, date.timeIntervalSince(last) < resolution, date >= last { return false }
            written[id] = date
            return true
        }
    }
}
