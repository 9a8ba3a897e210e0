import Foundation
import PierLogging
import Synchronization
internal import CCurl

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
