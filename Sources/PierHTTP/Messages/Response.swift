public import Foundation

/// An HTTP response: status, ordered header fields (repeats allowed) and a body.
public struct Response: Sendable {
    /// The status.
    public var status: HTTPStatus
    /// The header fields, in output order.
    public var headers: HTTPFields
    /// The body.
    public var body: Data

    /// Creates a response.
    public init(status: HTTPStatus = .ok, headers: HTTPFields = HTTPFields(), body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response encoded with `JSONEncoder`, with `Content-Type: application/json`.
    ///
    /// - Parameters:
    ///   - value: The value to encode.
    ///   - status: The status (200 by default).
    ///   - encoder: The encoder to use.
    /// - Throws: The encoder's error.
    public static func json(_ value: some Encodable, status: HTTPStatus = .ok, encoder: JSONEncoder? = nil) throws -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: try (encoder ?? sharedEncoder).encode(value))
    }

    /// One encoder for every response: building a `JSONEncoder` costs more than encoding a small body,
    /// and `encode` does not mutate it, so sharing is safe (it is never configured after creation).
    static let sharedEncoder = JSONEncoder()

    /// A plain text response (`text/plain; charset=utf-8`).
    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Data(text.utf8))
    }
}
