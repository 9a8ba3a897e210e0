/// Why an ``HTTPClient`` produced no response.
///
/// Classify by ``code``, never by ``message``. ``CurlHTTPClient`` derives the code from libcurl's
/// `CURLcode` only; the message (curl's error text) is for humans and contains no header values.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// A stable, closed set of failure kinds.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case timeout = "http_client.timeout"
            case connectionRefused = "http_client.connection_refused"
            case couldNotResolve = "http_client.could_not_resolve"
            case tls = "http_client.tls"
            case cancelled = "http_client.cancelled"
            case invalidRequest = "http_client.invalid_request"
            case responseTooLarge = "http_client.response_too_large"
            case other = "http_client.other"
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The connect or total timeout elapsed.
        public static let timeout = Code(.timeout)
        /// No connection could be made (refused or unreachable).
        public static let connectionRefused = Code(.connectionRefused)
        /// The host name (or proxy name) did not resolve.
        public static let couldNotResolve = Code(.couldNotResolve)
        /// The TLS handshake or certificate verification failed.
        public static let tls = Code(.tls)
        /// The calling task was cancelled; the transfer was aborted.
        public static let cancelled = Code(.cancelled)
        /// The request itself was unusable: malformed URL, unsupported scheme, bad header or method.
        public static let invalidRequest = Code(.invalidRequest)
        /// The response body exceeded the client's configured limit.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// Any other transport failure; see ``HTTPClientError/message``.
        public static let other = Code(.other)

        /// The stable identifier, for example `http_client.timeout`.
        public var description: String { value.rawValue }

        /// Matches a thrown error against a code, so `catch HTTPClientError.Code.timeout` works.
        public static func ~= (code: Code, error: any Error) -> Bool {
            (error as? HTTPClientError)?.code == code
        }
    }

    /// What went wrong.
    public let code: Code
    /// Human-readable detail (curl's message); never contains request headers.
    public let message: String
    /// The underlying `CURLcode` value, when libcurl reported one.
    public let curlCode: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, curlCode: Int? = nil) {
        self.code = code
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String {
        "HTTPClientError(\(code)): \(message)" + (curlCode.map { " [CURLcode \($0)]" } ?? "")
    }
}
