public import PierLogging
private import CMicroHTTPD
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server over libmicrohttpd: one owner of the daemon, epoll with an internal thread pool.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 8080), responder: router.makeResponder(), logger: logger)
/// let port = try server.start()
/// …
/// await server.shutdown()   // stop accepting, drain in-flight requests, stop
/// ```
///
/// How a request runs: MHD calls the access handler first with the headers only. The server then
/// resolves the endpoint (which fixes the body limit) and, following the libmicrohttpd trap, does not
/// answer yet (answering on the first call loses keep-alive) — except to refuse a declared
/// `Content-Length` above the limit with 413, which closes the connection without reading the body.
/// Body chunks are appended up to the limit; past it (chunked uploads) they are discarded and the
/// request is answered 413 at its end. On the final call a synchronous endpoint runs on the MHD thread
/// and is answered at once; an async endpoint suspends the connection (`MHD_suspend_connection`), runs
/// in a `Task`, stores its response and calls `MHD_resume_connection`, after which MHD calls the handler
/// again and the stored response is queued.
///
/// Header limits: MHD keeps the request head in the per-connection memory pool
/// (``Configuration/maxHeaderBytes``). A head that does not fit is answered by libmicrohttpd itself
/// with 431 "Request Header Fields Too Large" (or 414 for an oversized request line) and the
/// connection is closed; these never reach the responder, so they are not in the access log.
///
/// `@unchecked Sendable`: the daemon pointer and shutdown state live behind a mutex; everything else is
/// immutable after `init`.
public final class HTTPServer: @unchecked Sendable {
    /// Listening address, limits and threads.
    public struct Configuration: Sendable {
        /// An IPv4 or IPv6 literal to bind: "127.0.0.1", "::1", "0.0.0.0", "::".
        public var host: String
        /// The port; 0 picks a free one (``HTTPServer/start()`` returns it).
        public var port: Int
        /// I/O threads (MHD thread pool size); defaults to the number of cores.
        public var threadCount: Int
        /// Per-connection memory for the request head and read buffer (MHD_OPTION_CONNECTION_MEMORY_LIMIT).
        public var maxHeaderBytes: Int
        /// Default body limit; routes may override it.
        public var maxBodyBytes: Int
        /// Maximum concurrent connections (MHD_OPTION_CONNECTION_LIMIT).
        public var maxConnections: Int
        /// Seconds an idle connection is kept (MHD_OPTION_CONNECTION_TIMEOUT).
        public var idleTimeout: Int
        /// How long ``HTTPServer/shutdown()`` waits for in-flight requests.
        public var shutdownGracePeriod: Duration

        /// The number of active cores.
        public static var defaultThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount }

        /// Creates a configuration; every field has a default.
        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            threadCount: Int = Configuration.defaultThreadCount,
            maxHeaderBytes: Int = 16 * 1024,
            maxBodyBytes: Int = 1024 * 1024,
            maxConnections: Int = 1024,
            idleTimeout: Int = 60,
            shutdownGracePeriod: Duration = .seconds(10)
        ) {
            self.host = host
            self.port = port
            self.threadCount = threadCount
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }

    /// The configuration.
    public let configuration: Configuration
    private let responder: any HTTPResponder
    private let logger: Logger

    private struct State {
        enum Phase { case idle, running, draining, stopped }
        var phase = Phase.idle
        var daemon: DaemonHandle?
        var listenSocket: Int32 = -1
        var quiesced = false
        /// Requests begun and not yet completed by MHD.
        /// The subset whose connection is suspended (async handlers), for forced answers at shutdown.
        var suspended: [ObjectIdentifier: RequestState] = [:]
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        var drainWaitCancelled = false
        var retainedSelf: Unmanaged<HTTPServer>?
    }

    private let state = Mutex(State())
    private let accepted = Atomic<Int>(0)
    /// Requests whose handler call has begun and whose response is not yet sent.
    private let inFlight = Atomic<Int>(0)
    private let closing = Atomic<Bool>(false)

    /// Creates a server; nothing listens until ``start()``.
    ///
    /// - Parameters:
    ///   - configuration: Address, limits, threads.
    ///   - responder: Chooses and runs the handler for each request (usually ``Router/makeResponder()``).
    ///   - logger: Receives libmicrohttpd's error log and server events.
    public init(configuration: Configuration = Configuration(), responder: some HTTPResponder, logger: Logger) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
    }

    /// Connections accepted since start (keep-alive reuse does not count).
    public var acceptedConnectionCount: Int { accepted.load(ordering: .relaxed) }

    /// Requests whose handler call has begun and whose response is not yet sent.
    public var inFlightRequestCount: Int { inFlight.load(ordering: .acquiring) }

    // MARK: - Start

    /// Starts listening and serving.
    ///
    /// - Returns: The bound port (useful with port 0).
    /// - Throws: ``HTTPServerError`` when the address is invalid or taken, or libmicrohttpd fails to start.
    @discardableResult
    public func start() throws -> Int {
        precondition(state.withLock { $0.phase } == .idle, "HTTPServer.start() called twice")
        guard (0...65535).contains(configuration.port) else {
            throw HTTPServerError(code: .invalidAddress, message: "cannot listen on \(display): port out of range")
        }
        guard var address = SocketAddress(host: configuration.host, port: configuration.port) else {
            throw HTTPServerError(code: .invalidAddress, message: "cannot listen on \(display): not an IPv4 or IPv6 address")
        }

        var flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue | MHD_USE_TURBO.rawValue
        if address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }

        let retained = Unmanaged.passRetained(self)
        let cls = retained.toOpaque()
        let daemon: OpaquePointer? = address.withSockaddr { sockaddrPointer in
            // The logger goes first: libmicrohttpd complains (through its default logger) otherwise.
            var options: [MHD_OptionItem] = [
                MHD_OptionItem(option: .EXTERNAL_LOGGER, value: Self.errorLogAddress(), ptr_value: cls),
                MHD_OptionItem(option: .CONNECTION_MEMORY_LIMIT, value: configuration.maxHeaderBytes, ptr_value: nil),
                MHD_OptionItem(option: .CONNECTION_LIMIT, value: configuration.maxConnections, ptr_value: nil),
                MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: configuration.idleTimeout, ptr_value: nil),
                MHD_OptionItem(option: .NOTIFY_COMPLETED, value: unsafeBitCast(Self.completed, to: Int.self), ptr_value: cls),
                MHD_OptionItem(option: .NOTIFY_CONNECTION, value: unsafeBitCast(Self.connectionNotified, to: Int.self), ptr_value: cls),
                MHD_OptionItem(option: .SOCK_ADDR, value: 0, ptr_value: UnsafeMutableRawPointer(mutating: sockaddrPointer)),
                MHD_OptionItem(option: .UNESCAPE_CALLBACK, value: unsafeBitCast(Self.unescape, to: Int.self), ptr_value: nil),
            ]
            if configuration.threadCount > 1 {
                options.append(MHD_OptionItem(option: .THREAD_POOL_SIZE, value: configuration.threadCount, ptr_value: nil))
            }
            options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))
            return options.withUnsafeMutableBufferPointer { buffer in
                // MHD_start_daemon is C-variadic: pass every option through one MHD_OPTION_ARRAY.
                withVaList([MHD_OPTION.ARRAY.rawValue, buffer.baseAddress!, MHD_OPTION.END.rawValue]) { arguments in
                    MHD_start_daemon_va(flags, UInt16(configuration.port), nil, nil, Self.access, cls, arguments)
                }
            }
        }
        guard let daemon else {
            retained.release()
            throw diagnoseStartFailure(address)
        }
        let port = Int(pier_mhd_bind_port(daemon))
        let handle = DaemonHandle(daemon: daemon)
        state.withLock {
            $0.daemon = handle
            $0.phase = .running
            $0.retainedSelf = retained
        }
        logger.info("http server listening", metadata: ["http.host": configuration.host, "http.port": String(port)])
        return port
    }

    private var display: String {
        configuration.host.contains(":") ? "[\(configuration.host)]:\(configuration.port)" : "\(configuration.host):\(configuration.port)"
    }

    /// libmicrohttpd reports bind errors only in its log; bind a probe socket to get the errno.
    private func diagnoseStartFailure(_ address: SocketAddress) -> HTTPServerError {
        var address = address
        return diagnose(&address)
    }

    private func diagnose(_ address: inout SocketAddress) -> HTTPServerError {
        let error = address.probeBind()
        let code: HTTPServerError.Code
        switch error {
        case EADDRINUSE: code = .addressInUse
        case EADDRNOTAVAIL, EAFNOSUPPORT, EINVAL: code = .invalidAddress
        case EACCES, EPERM: code = .permissionDenied
        default: code = .startFailed
        }
        guard error != 0 else {
            return HTTPServerError(code: .startFailed, message: "cannot listen on \(display): libmicrohttpd failed to start (see log)")
        }
        var reason = String(cString: strerror(error))
        if let first = reason.first { reason = first.lowercased() + reason.dropFirst() }
        return HTTPServerError(code: code, message: "cannot listen on \(display): \(reason)")
    }

    // MARK: - Shutdown

    /// Stops accepting new connections now; new connection attempts are refused. Idempotent.
    ///
    /// In-flight requests continue, and responses sent from now on carry `Connection: close`.
    public func quiesce() {
        closing.store(true, ordering: .relaxed)
        state.withLock { state in
            guard let daemon = state.daemon?.daemon, !state.quiesced else { return }
            state.quiesced = true
            let socket = MHD_quiesce_daemon(daemon)
            if socket >= 0 {
                // MHD no longer polls it; shutting it down makes the kernel refuse new connections
                // (and reset queued ones). It is closed after MHD_stop_daemon, as MHD requires.
                _ = Glibc.shutdown(socket, Int32(SHUT_RDWR))
                state.listenSocket = socket
            }
        }
    }

    /// Graceful shutdown: stop accepting, let in-flight requests (suspended async ones too) finish
    /// within ``Configuration/shutdownGracePeriod``, answer any still running with 503, then stop the
    /// daemon. Idempotent; returns when the daemon's threads are gone.
    public func shutdown() async {
        let shouldRun = state.withLock { state -> Bool in
            guard state.phase == .running else { return false }
            state.phase = .draining
            return true
        }
        guard shouldRun else { return }
        quiesce()
        if await !waitForDrain(timeout: configuration.shutdownGracePeriod) {
            let abandoned = state.withLock { Array($0.suspended.values) }
            logger.warning("http shutdown grace period over; answering in-flight requests with 503",
                           metadata: ["http.in_flight": String(abandoned.count)])
            for request in abandoned {
                let response = Response.errorJSON(status: .serviceUnavailable, code: "unavailable",
                                                  message: "The server is shutting down.", details: nil)
                if request.complete(with: response) { MHD_resume_connection(request.connection) }
            }
            // Resumed connections must leave MHD's suspended list before MHD_stop_daemon.
            _ = await waitForDrain(timeout: .seconds(2))
        }
        let (handle, socket, retained) = state.withLock { state in
            defer {
                state.daemon = nil
                state.retainedSelf = nil
                state.phase = .stopped
            }
            return (state.daemon, state.listenSocket, state.retainedSelf)
        }
        // MHD_stop_daemon joins the I/O threads: block a plain thread, never the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                if let daemon = handle?.daemon { MHD_stop_daemon(daemon) }
                if socket >= 0 { close(socket) }
                continuation.resume()
            }
            thread.start()
        }
        retained?.release()
        logger.info("http server stopped")
    }

    /// Waits until no request is in flight; false on timeout.
    private func waitForDrain(timeout: Duration) async -> Bool {
        state.withLock { $0.drainWaitCancelled = false }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = self.state.withLock { state -> Bool in
                            // Read under the lock: a completion decrements first and takes the lock
                            // after, so a waiter added here is always seen by the last completion.
                            if self.inFlight.load(ordering: .acquiring) == 0 || state.drainWaitCancelled { return true }
                            state.drainWaiters.append(continuation)
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    let waiters = self.state.withLock { state in
                        state.drainWaitCancelled = true
                        defer { state.drainWaiters = [] }
                        return state.drainWaiters
                    }
                    waiters.forEach { $0.resume() }
                }
                return self.inFlight.load(ordering: .acquiring) == 0
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    // MARK: - Request handling (MHD threads)

    private func handle(
        connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>,
        uploadData: UnsafePointer<CChar>?, uploadDataSize: UnsafeMutablePointer<Int>,
        requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let stored = requestContext.pointee else {
            // First call: the head only. Route now (the route fixes the body limit) but do not answer.
            let method = HTTPMethod(rawValue: String(cString: method))
            let path = String(cString: url)
            let endpoint = responder.endpoint(method: method, path: path)
            let limit = endpoint.maxBodyBytes ?? configuration.maxBodyBytes
            let request = RequestState(endpoint: endpoint, bodyLimit: limit, method: method, path: path, connection: connection)
            requestContext.pointee = Unmanaged.passRetained(request).toOpaque()
            inFlight.wrappingAdd(1, ordering: .acquiringAndReleasing)
            if let declared = MHD_lookup_connection_value(connection, MHD_ValueKind.HEADER_KIND, "Content-Length"),
               let length = Int(String(cString: declared)), length > limit {
                // Refuse before reading a byte of the body; MHD then closes the connection.
                request.bodyTooLarge = true
                return queue(tooLarge(request), on: connection)
            }
            return .YES
        }
        let request = Unmanaged<RequestState>.fromOpaque(stored).takeUnretainedValue()
        if uploadDataSize.pointee > 0 {
            if let uploadData { request.receive(uploadData, count: uploadDataSize.pointee) }
            uploadDataSize.pointee = 0
            return .YES
        }
        let phase = request.phase.withLock { $0 }
        switch phase {
        case .ready(let response):
            return queue(response, on: connection)
        case .suspended, .finished:
            return .YES
        case .receiving:
            break
        }
        if request.bodyTooLarge { return queue(tooLarge(request), on: connection) }

        let (message, context) = makeRequest(request, connection: connection)
        switch request.endpoint.run {
        case .synchronous(let handler):
            let response: Response
            do {
                response = try handler(message, context)
            } catch {
                response = Response.error(error, logger: context.logger)
            }
            return queue(response, on: connection)
        case .asynchronous(let handler):
            request.phase.withLock { $0 = .suspended }
            state.withLock { $0.suspended[ObjectIdentifier(request)] = request }
            MHD_suspend_connection(connection)
            // The bridge from a C callback into Swift concurrency: the task owns the handler run and
            // resumes the connection when done (MHD_resume_connection is safe from any thread).
            Task {
                let response: Response
                do {
                    response = try await handler(message, context)
                } catch {
                    response = Response.error(error, logger: context.logger)
                }
                if request.complete(with: response) { MHD_resume_connection(request.connection) }
            }
            return .YES
        }
    }

    private func tooLarge(_ request: RequestState) -> Response {
        logger.notice("request body over limit", metadata: [
            "http.method": request.method.rawValue,
            "http.route": request.endpoint.routeTemplate ?? "unmatched",
            "http.status": "413",
            "http.body_limit": String(request.bodyLimit),
        ])
        return Response.error(HTTPError.payloadTooLarge(limit: request.bodyLimit), logger: logger)
    }

    private func makeRequest(_ request: RequestState, connection: OpaquePointer) -> (Request, RequestContext) {
        // Room for a typical request head at once instead of growing 1 → 2 → 4 → 8 → 16.
        var headers = HTTPFields(minimumCapacity: 16)
        withUnsafeMutablePointer(to: &headers) { pointer in
            _ = MHD_get_connection_values(connection, MHD_ValueKind.HEADER_KIND, Self.collectHeader, pointer)
        }
        var query: [Request.QueryItem] = []
        withUnsafeMutablePointer(to: &query) { pointer in
            _ = MHD_get_connection_values(connection, MHD_ValueKind.GET_ARGUMENT_KIND, Self.collectQueryItem, pointer)
        }
        let id = RequestIDGenerator.shared.next()
        let endpoint = request.endpoint
        let message = Request(
            method: request.method, path: request.path, query: query, headers: headers, body: request.body,
            remoteAddress: Self.remoteAddress(of: connection),
            parameters: endpoint.parameters, routeTemplate: endpoint.routeTemplate, id: id
        )
        request.body = Data()
        let context = RequestContext(requestID: id, logger: logger, parameters: endpoint.parameters, routeTemplate: endpoint.routeTemplate)
        return (message, context)
    }

    private func queue(_ response: Response, on connection: OpaquePointer) -> MHD_Result {
        // MHD_NO without a queued response: libmicrohttpd closes the connection (ConnectionAbort.swift).
        if response.abortsConnection { return .NO }
        let mhdResponse: OpaquePointer? = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), MHD_ResponseMemoryMode.RESPMEM_MUST_COPY)
        }
        guard let mhdResponse else { return .NO }
        defer { MHD_destroy_response(mhdResponse) }
        for field in response.headers {
            // withCString lends a native string's own bytes; passing the String directly would copy
            // each name and value into a new array.
            let added = field.name.withCString { name in
                field.value.withCString { value in MHD_add_response_header(mhdResponse, name, value) }
            }
            if added != .YES {
                logger.warning("invalid response header dropped", metadata: ["http.header": field.name])
            }
        }
        if closing.load(ordering: .relaxed) {
            _ = MHD_add_response_header(mhdResponse, "Connection", "close")
        }
        return MHD_queue_response(connection, UInt32(response.status.code), mhdResponse)
    }

    private func requestCompleted(_ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) {
        guard let requestContext, let stored = requestContext.pointee else { return }
        requestContext.pointee = nil
        let request = Unmanaged<RequestState>.fromOpaque(stored).takeRetainedValue()
        request.phase.withLock { $0 = .finished }
        if case .asynchronous = request.endpoint.run {
            state.withLock { _ = $0.suspended.removeValue(forKey: ObjectIdentifier(request)) }
        }
        // The in-flight count is an atomic so that synchronous requests on different I/O threads do
        // not contend for the server's lock; only the last completion during a drain takes it.
        guard inFlight.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            defer { state.drainWaiters = [] }
            return state.drainWaiters
        }
        waiters.forEach { $0.resume() }
    }

    // MARK: - C trampolines (capture nothing; the server comes through `cls`)

    private static let access: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadDataSize, requestContext in
        let server = Unmanaged<HTTPServer>.fromOpaque(cls!).takeUnretainedValue()
        return server.handle(
            connection: connection!, url: url!, method: method!, uploadData: uploadData,
            uploadDataSize: uploadDataSize!, requestContext: requestContext!
        )
    }

    /// Decodes `%HH` in the path and query like libmicrohttpd's default, except `%00`, which stays as the
    /// three characters: the path and values reach Swift as C strings, so a decoded NUL would silently cut
    /// `/api/v1/users/%00` down to `/api/v1/users/` and answer another route (found by schemathesis).
    private static let unescape: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutablePointer<CChar>?) -> Int = { _, _, text in
        guard let text else { return 0 }
        return text.withMemoryRebound(to: UInt8.self, capacity: strlen(text) + 1) { PercentDecoding.decodeInPlace($0) }
    }

    private static let completed: MHD_RequestCompletedCallback = { cls, _, requestContext, _ in
        Unmanaged<HTTPServer>.fromOpaque(cls!).takeUnretainedValue().requestCompleted(requestContext)
    }

    /// Counts accepted connections and keeps a ``ConnectionInfo`` in each connection's socket context
    /// from its start to its close.
    private static let connectionNotified: MHD_NotifyConnectionCallback = { cls, connection, socketContext, code in
        switch code {
        case .CONNECTION_NOTIFY_STARTED:
            Unmanaged<HTTPServer>.fromOpaque(cls!).takeUnretainedValue().accepted.add(1, ordering: .relaxed)
            guard let connection, let socketContext else { return }
            let info = ConnectionInfo(remoteAddress: SocketAddress.describe(pier_mhd_client_address(connection)))
            socketContext.pointee = Unmanaged.passRetained(info).toOpaque()
        case .CONNECTION_NOTIFY_CLOSED:
            guard let socketContext, let stored = socketContext.pointee else { return }
            socketContext.pointee = nil
            Unmanaged<ConnectionInfo>.fromOpaque(stored).release()
        default:
            break
        }
    }

    /// The peer address of a connection, formatted once when it was accepted.
    private static func remoteAddress(of connection: OpaquePointer) -> String? {
        guard let stored = pier_mhd_socket_context(connection) else {
            return SocketAddress.describe(pier_mhd_client_address(connection))
        }
        return Unmanaged<ConnectionInfo>.fromOpaque(stored).takeUnretainedValue().remoteAddress
    }

    /// The error-log trampoline's address. Built locally: a stored property of this C function type
    /// (its `va_list` parameter) crashes the 6.3 compiler when the module is deserialized for testing.
    private static func errorLogAddress() -> Int {
        let trampoline: MHD_LogCallback = { cls, format, arguments in
            guard let cls, let format, let arguments else { return }
            var buffer = [CChar](repeating: 0, count: 512)
            _ = pier_mhd_format_log(&buffer, buffer.count, format, arguments)
            let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue().logger.error("libmicrohttpd: \(message)")
        }
        return unsafeBitCast(trampoline, to: Int.self)
    }

    private static let collectHeader: MHD_KeyValueIterator = { cls, _, key, value in
        guard let cls, let key else { return .YES }
        let fields = cls.assumingMemoryBound(to: HTTPFields.self)
        fields.pointee.append(name: String(cString: key), value: value.map { String(cString: $0) } ?? "")
        return .YES
    }

    private static let collectQueryItem: MHD_KeyValueIterator = { cls, _, key, value in
        guard let cls, let key else { return .YES }
        let items = cls.assumingMemoryBound(to: [Request.QueryItem].self)
        items.pointee.append(Request.QueryItem(name: String(cString: key), value: value.map { String(cString: $0) }))
        return .YES
    }
}

/// What the server knows about a connection for its whole life (keep-alive serves many requests on
/// one): formatting the peer address per request cost more than routing it.
private final class ConnectionInfo {
    let remoteAddress: String?
    init(remoteAddress: String?) { self.remoteAddress = remoteAddress }
}

/// Carries the daemon pointer to the stopping thread. The pointer is used there only.
private final class DaemonHandle: @unchecked Sendable {
    let daemon: OpaquePointer?
    init(daemon: OpaquePointer?) { self.daemon = daemon }
}
