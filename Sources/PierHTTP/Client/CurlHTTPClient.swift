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

/// A request checked and converted for libcurl before it reaches a worker thread.
struct CurlPreparedRequest: Sendable {
    let method: String
    let url: String
    let redactedURL: String
    let headerLines: [String]
    let body: Data?
    let connectTimeoutMilliseconds: Int
    let totalTimeoutMilliseconds: Int

    init(_ request: HTTPClientRequest) throws {
        let method = request.method.rawValue
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenByte) else {
            throw HTTPClientError(.invalidRequest, "invalid method")
        }
        guard !request.url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw HTTPClientError(.invalidRequest, "URL contains whitespace or control characters")
        }
        var lines: [String] = []
        for header in request.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(Self.isTokenByte) else {
                throw HTTPClientError(.invalidRequest, "invalid header name \"\(header.name)\"")
            }
            // CR/LF/NUL in a value would let it smuggle extra headers or a second request.
            // The value itself is not echoed: it may be a credential.
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw HTTPClientError(.invalidRequest, "header \"\(header.name)\" has a control character in its value")
            }
            // libcurl reads "Name:" as "remove this header" and "Name;" as "send it empty".
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        // Unless asked for, suppress `Expect: 100-continue`, which costs a round trip (or a 1 s stall
        // against servers that ignore it) on larger bodies.
        if !request.headers.contains(where: { $0.name.lowercased() == "expect" }) { lines.append("Expect:") }
        self.method = method
        self.url = request.url
        self.redactedURL = request.redactedURL
        self.headerLines = lines
        self.body = request.body
        self.connectTimeoutMilliseconds = try Self.milliseconds(request.connectTimeout)
        self.totalTimeoutMilliseconds = try Self.milliseconds(request.totalTimeout)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        // RFC 9110 §5.6.2 tchar.
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func milliseconds(_ duration: Duration) throws -> Int {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        // 0 means "no timeout" to libcurl; refuse it rather than wait forever.
        guard milliseconds >= 1, milliseconds <= Int64(Int32.max) else {
            throw HTTPClientError(.invalidRequest, "timeouts must be between 1 ms and 24 days")
        }
        return Int(milliseconds)
    }
}

/// The client's shared state: handle pool, counters, configuration. Captured by worker jobs.
final class CurlClientCore: Sendable {
    let configuration: CurlHTTPClient.Configuration
    let logger: Logger
    let handles: CurlHandlePool
    let connectionsOpened = Atomic<Int>(0)

    init(configuration: CurlHTTPClient.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.handles = CurlHandlePool(capacity: configuration.maxIdleHandles)
    }

    /// Runs one transfer to completion. Blocks: call only on a worker thread.
    func perform(_ request: CurlPreparedRequest, cancellation: CurlCancellation) -> Result<HTTPClientResponse, HTTPClientError> {
        let start = ContinuousClock.now
        guard let handle = handles.checkOut() else {
            return .failure(HTTPClientError(.other, "curl_easy_init failed"))
        }
        defer { handles.checkIn(handle) }

        let transfer = CurlTransfer(cancellation: cancellation, maxBodyBytes: configuration.maxResponseBodyBytes)
        let result = withExtendedLifetime(transfer) {
            run(request, on: handle.pointer, transfer: transfer)
        }
        let elapsed = ContinuousClock.now - start
        var metadata: Logger.Metadata = [
            "http.client.method": request.method,
            "http.client.url": request.redactedURL,
            "http.client.duration_ms": String(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
        ]
        switch result {
        case .success(let response):
            metadata["http.client.status"] = String(response.status)
            logger.debug("http client request", metadata: metadata)
        case .failure(let error):
            metadata["http.client.error"] = error.code.description
            logger.debug("http client request failed", metadata: metadata)
        }
        return result
    }

    private func run(
        _ request: CurlPreparedRequest,
        on curl: UnsafeMutableRawPointer,
        transfer: CurlTransfer
    ) -> Result<HTTPClientResponse, HTTPClientError> {
        var headerList: UnsafeMutablePointer<curl_slist>?
        for line in request.headerLines {
            guard let appended = curl_slist_append(headerList, line) else {
                curl_slist_free_all(headerList)
                return .failure(HTTPClientError(.other, "curl_slist_append failed"))
            }
            headerList = appended
        }
        defer { curl_slist_free_all(headerList) }

        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let userdata = Unmanaged.passUnretained(transfer).toOpaque()

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
            let body = request.body ?? Data()
            return body.withUnsafeBytes { bodyBytes in
                var status = CURLE_OK
                func set(_ result: CURLcode) { if status == CURLE_OK { status = result } }

                set(pier_curl_easy_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errorPointer.baseAddress))
                set(pier_curl_easy_setopt_string(curl, CURLOPT_URL, request.url))
                // Threads + libcurl: never use signals for timeouts (https://curl.se/libcurl/c/CURLOPT_NOSIGNAL.html).
                set(pier_curl_easy_setopt_long(curl, CURLOPT_NOSIGNAL, 1))
                set(pier_curl_easy_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https"))
                set(pier_curl_easy_setopt_string(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
                set(pier_curl_easy_setopt_long(curl, CURLOPT_FOLLOWLOCATION, configuration.followRedirects ? 1 : 0))
                set(pier_curl_easy_setopt_long(curl, CURLOPT_MAXREDIRS, configuration.maxRedirects))
                set(pier_curl_easy_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds))
                set(pier_curl_easy_setopt_long(curl, CURLOPT_TIMEOUT_MS, request.totalTimeoutMilliseconds))
                set(pier_curl_easy_setopt_long(curl, CURLOPT_TCP_KEEPALIVE, 1))
                set(pier_curl_easy_setopt_string(curl, CURLOPT_USERAGENT, configuration.userAgent))
                set(pier_curl_easy_setopt_slist(curl, CURLOPT_HTTPHEADER, headerList))

                set(pier_curl_easy_setopt_write_function(curl, CURLOPT_HEADERFUNCTION, CurlTransfer.headerCallback))
                set(pier_curl_easy_setopt_pointer(curl, CURLOPT_HEADERDATA, userdata))
                set(pier_curl_easy_setopt_write_function(curl, CURLOPT_WRITEFUNCTION, CurlTransfer.bodyCallback))
                set(pier_curl_easy_setopt_pointer(curl, CURLOPT_WRITEDATA, userdata))
                set(pier_curl_easy_setopt_long(curl, CURLOPT_NOPROGRESS, 0))
                set(pier_curl_easy_setopt_xferinfo_function(curl, CurlTransfer.progressCallback))
                set(pier_curl_easy_setopt_pointer(curl, CURLOPT_XFERINFODATA, userdata))

                switch request.method {
                case "GET" where request.body == nil:
                    set(pier_curl_easy_setopt_long(curl, CURLOPT_HTTPGET, 1))
                case "HEAD" where request.body == nil:
                    set(pier_curl_easy_setopt_long(curl, CURLOPT_NOBODY, 1))
                default:
                    if request.method != "POST" || request.body == nil {
                        set(pier_curl_easy_setopt_string(curl, CURLOPT_CUSTOMREQUEST, request.method))
                    }
                    if request.body != nil || request.method == "POST" {
                        // A NULL POSTFIELDS would make libcurl read the body from stdin: always
                        // pass a valid pointer, even for an empty body. libcurl does not copy it;
                        // `bodyBytes` outlives curl_easy_perform below.
                        set(pier_curl_easy_setopt_off_t(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyBytes.count)))
                        set(pier_curl_easy_setopt_pointer(
                            curl, CURLOPT_POSTFIELDS,
                            UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress ?? CurlClientCore.emptyBodyPointer)))
                    }
                }
                guard status == CURLE_OK else { return status }
                return curl_easy_perform(curl)
            }
        }

        var connects = 0
        _ = pier_curl_easy_getinfo_long(curl, CURLINFO_NUM_CONNECTS, &connects)
        connectionsOpened.add(connects, ordering: .relaxed)

        guard code == CURLE_OK else {
            if transfer.bodyTooLarge {
                return .failure(HTTPClientError(.responseTooLarge, "response body exceeds \(configuration.maxResponseBodyBytes) bytes", curlCode: Int(code.rawValue)))
            }
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            return .failure(HTTPClientError(Self.classify(code), message, curlCode: Int(code.rawValue)))
        }
        var responseCode = 0
        _ = pier_curl_easy_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &responseCode)
        let status = responseCode != 0 ? responseCode : (transfer.statusFromLine ?? 0)
        return .success(HTTPClientResponse(status: status, headers: transfer.headers, body: transfer.body))
    }

    /// Maps a `CURLcode` to a stable code (https://curl.se/libcurl/c/libcurl-errors.html).
    static func classify(_ code: CURLcode) -> HTTPClientError.Code {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_COULDNT_CONNECT:
            return .connectionRefused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .couldNotResolve
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_USE_SSL_FAILED, CURLE_SSL_CLIENTCERT:
            return .tls
        case CURLE_ABORTED_BY_CALLBACK:
            return .cancelled
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidRequest
        default:
            return .other
        }
    }

    /// A valid pointer for zero-length bodies; libcurl reads 0 bytes from it. Allocated once, never freed,
    /// never written: sharing it between threads is safe (review: immutable after initialization).
    nonisolated(unsafe) private static let emptyBodyPointer = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
}
