import Foundation
public import PierLogging
import Synchronization
internal import CCurl

/// An ``HTTPClient`` over libcurl.
///
/// - Blocking `curl_easy_perform` runs on a small pool of dedicated threads, never on the cooperative
///   pool; callers await a continuation.
/// - Easy handles are pooled and reset between requests, keeping their connection caches, so sequential
///   requests to one host reuse the connection (see ``connectionsOpened``).
/// - Cancelling the calling task resumes it at once with ``HTTPClientError/Code/cancelled`` and aborts
///   the transfer from libcurl's progress callback.
/// - Redirects are not followed unless configured; only `http` and `https` are allowed.
/// - Request headers are never logged: they carry `Authorization: SSWS …` tokens.
///
/// ```swift
/// let client = CurlHTTPClient(logger: logger)
/// let response = try await client.execute(HTTPClientRequest(url: "https://acme.okta.com/api/v1/users",
///     headers: [("Authorization", "SSWS \(token)"), ("Accept", "application/json")]))
/// let links = response.headers(named: "Link")
/// ```
public final class CurlHTTPClient: HTTPClient {
    /// Tuning knobs, with defaults for a server talking to a handful of hosts.
    public struct Configuration: Sendable {
        /// Dedicated threads running transfers: the most requests in flight at once.
        public var threadCount: Int
        /// Idle easy handles kept (each with its own open connections).
        public var maxIdleHandles: Int
        /// Whether to follow 3xx redirects. Off by default: a redirect could carry the token elsewhere.
        public var followRedirects: Bool
        /// The most redirects followed when ``followRedirects`` is on.
        public var maxRedirects: Int
        /// The largest response body accepted; a larger one fails with `responseTooLarge`.
        public var maxResponseBodyBytes: Int
        /// The `User-Agent` header, unless the request sets one.
        public var userAgent: String

        /// Creates a configuration.
        public init(
            threadCount: Int = 4,
            maxIdleHandles: Int = 8,
            followRedirects: Bool = false,
            maxRedirects: Int = 5,
            maxResponseBodyBytes: Int = 64 << 20,
            userAgent: String = "Pier"
        ) {
            self.threadCount = threadCount
            self.maxIdleHandles = maxIdleHandles
            self.followRedirects = followRedirects
            self.maxRedirects = maxRedirects
            self.maxResponseBodyBytes = maxResponseBodyBytes
            self.userAgent = userAgent
        }
    }

    private let core: CurlClientCore
    private let workers: CurlWorkerPool

    /// Starts the client's worker threads.
    ///
    /// - Parameters:
    ///   - configuration: Limits and behaviour.
    ///   - logger: Receives one debug record per request: method, URL without query, status, duration.
    public init(configuration: Configuration = Configuration(), logger: Logger = .disabled()) {
        CurlGlobal.initialize()
        self.core = CurlClientCore(configuration: configuration, logger: logger)
        self.workers = CurlWorkerPool(threadCount: configuration.threadCount, name: "pier.http-client")
    }

    /// Lets the worker threads exit once queued transfers are done.
    deinit { workers.shutdown() }

    /// How many new connections libcurl has opened for this client (sum of `CURLINFO_NUM_CONNECTS`).
    /// Requests that reuse a pooled connection add nothing.
    public var connectionsOpened: Int { core.connectionsOpened.load(ordering: .relaxed) }

    public func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let prepared = try CurlPreparedRequest(request)
        let cancellation = CurlCancellation()
        let core = self.core
        let workers = self.workers
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard cancellation.register(continuation) else { return }
                let accepted = workers.submit {
                    // Queued behind other transfers and cancelled meanwhile: do not start.
                    guard !cancellation.isCancelled else { return }
                    cancellation.finish(core.perform(prepared, cancellation: cancellation))
                }
                if !accepted { cancellation.finish(.failure(HTTPClientError(.other, "the client has shut down"))) }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }
}
