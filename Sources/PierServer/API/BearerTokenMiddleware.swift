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
struct BearerTokenMiddleware: Middleware {
    let store: any APITokenStore
    let now: @Sendable () -> Date
    let lastUse: LastUseThrottle

    init(store: any APITokenStore, lastUseResolution: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
        self.lastUse = LastUseThrottle(resolution: TimeInterval(lastUseResolution.components.seconds))
    }

    func handle(_ request: Request, context: RequestContext, next: Handler) async throws -> Response {
        guard let header = request.headers["Authorization"] else { throw APIError.missingCredentials() }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("The Authorization header must be 'Bearer <api token>'.", error: "invalid_request")
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
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
        var context = context
        context[APIIdentityKey.self] = APIIdentity(tokenID: record.id, tokenName: record.name)
        context.logger[metadataKey: "api_token.id"] = record.id.rawValue
        return try await next(request, context)
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
