import Foundation
public import PierLogging

/// An error that knows how it is shown to an HTTP client.
///
/// The error mapping (``ErrorMiddleware``, and the server as a last resort) turns a thrown
/// `HTTPResponseError` into `{"error": {"code", "message", "details"}}` with ``status``. Any other
/// error becomes a 500 `internal` with a logged reference and no detail.
public protocol HTTPResponseError: Error {
    /// The response status.
    var status: HTTPStatus { get }
    /// A stable snake_case code (`not_found`, `payload_too_large`, …).
    var code: String { get }
    /// A message meant for the client; never internal detail.
    var message: String { get }
    /// Optional per-field details (e.g. field → problem for `validation_failed`).
    var details: [String: String]? { get }
    /// Extra response header fields (e.g. `Allow` for 405); none by default.
    var headers: HTTPFields { get }
}

extension HTTPResponseError {
    public var details: [String: String]? { nil }
    public var headers: HTTPFields { HTTPFields() }
}

/// The module's concrete client-facing error: a status, a stable code, a message and details.
public struct HTTPError: HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPStatus
    public var code: String
    public var message: String
    public var details: [String: String]?
    public var headers: HTTPFields

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - status: The response status.
    ///   - code: A stable snake_case code.
    ///   - message: Text for the client.
    ///   - details: Optional details.
    ///   - headers: Extra response header fields.
    public init(_ status: HTTPStatus, code: String, message: String, details: [String: String]? = nil, headers: HTTPFields = HTTPFields()) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public var description: String { "HTTPError(\(status.code) \(code): \(message))" }

    /// 404 `not_found`.
    public static func notFound(_ message: String = "No resource at this path.") -> HTTPError {
        HTTPError(.notFound, code: "not_found", message: message)
    }

    /// 405 `method_not_allowed` with an `Allow` header.
    public static func methodNotAllowed(_ method: HTTPMethod, allowed: [HTTPMethod]) -> HTTPError {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return HTTPError(
            .methodNotAllowed, code: "method_not_allowed",
            message: "Method \(method.rawValue) is not allowed here; allowed: \(allow).",
            headers: ["Allow": allow]
        )
    }

    /// 413 `payload_too_large`.
    public static func payloadTooLarge(limit: Int) -> HTTPError {
        HTTPError(.payloadTooLarge, code: "payload_too_large", message: "The request body exceeds the limit of \(limit) bytes.")
    }

    /// 400 `invalid_request`.
    public static func invalidRequest(_ message: String) -> HTTPError {
        HTTPError(.badRequest, code: "invalid_request", message: message)
    }
}

/// The wire shape `{"error": {"code", "message", "details"}}`.
struct ErrorBody: Codable, Sendable {
    struct Content: Codable, Sendable {
        var code: String
        var message: String
        var details: [String: String]?
    }
    var error: Content
}

extension Response {
    /// The one place where errors become responses.
    ///
    /// An ``HTTPResponseError`` becomes its status, headers and JSON body. Anything else becomes a 500
    /// `internal` whose message carries only a reference id; the error itself is logged with that id.
    ///
    /// - Parameters:
    ///   - error: The thrown error.
    ///   - logger: Where an unexpected error is logged (with `request.id` metadata from the context).
    public static func error(_ error: any Error, logger: Logger) -> Response {
        if let error = error as? any HTTPResponseError {
            var response = errorJSON(status: error.status, code: error.code, message: error.message, details: error.details)
            for field in error.headers { response.headers.append(name: field.name, value: field.value) }
            return response
        }
        let reference = ErrorReference.make()
        logger.error("unhandled error", metadata: ["error.id": reference, "error": String(reflecting: error)])
        return errorJSON(
            status: .internalServerError, code: "internal",
            message: "An internal error occurred. Reference: \(reference)", details: nil
        )
    }

    static func errorJSON(status: HTTPStatus, code: String, message: String, details: [String: String]?) -> Response {
        let body = ErrorBody(error: .init(code: code, message: message, details: details))
        let data = (try? JSONEncoder().encode(body)) ?? Data(#"{"error":{"code":"internal","message":"error"}}"#.utf8)
        return Response(status: status, headers: ["Content-Type": "application/json"], body: data)
    }
}

enum ErrorReference {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
