public import PierHTTP

/// A client-facing API error with one of DESIGN.md §5's stable codes.
///
/// Handlers throw these; ``ErrorMiddleware`` (through `Response.error`) is the one place that turns
/// them into `{"error": {"code", "message", "details"}}`. Anything that is not an ``HTTPResponseError``
/// becomes a 500 `internal` with a logged reference and no detail.
public struct APIError: HTTPResponseError, Sendable, Equatable {
    public var status: HTTPStatus
    public var code: String
    public var message: String
    public var details: [String: String]?
    public var headers: HTTPFields

    init(_ status: HTTPStatus, code: String, message: String, details: [String: String]? = nil, headers: HTTPFields = HTTPFields()) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    /// 401 `unauthorized`, with the RFC 6750 challenge.
    static func unauthorized(_ message: String, error: String = "invalid_token") -> APIError {
        APIError(
            .unauthorized, code: "unauthorized", message: message,
            headers: ["WWW-Authenticate": #"Bearer realm="pier", error="\#(error)""#]
        )
    }

    /// 401 `unauthorized` for a request without credentials (no `error` attribute, RFC 6750 §3.1).
    static func missingCredentials() -> APIError {
        APIError(
            .unauthorized, code: "unauthorized",
            message: "This route needs an API token: send 'Authorization: Bearer <token>' (create one with `pier admin token create`).",
            headers: ["WWW-Authenticate": #"Bearer realm="pier""#]
        )
    }

    /// 403 `forbidden`.
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, code: "forbidden", message: message) }

    /// 404 `not_found`.
    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message: message) }

    /// 409 `conflict`.
    static func conflict(_ message: String) -> APIError { APIError(.conflict, code: "conflict", message: message) }

    /// 400 `invalid_request`.
    static func invalidRequest(_ message: String) -> APIError { APIError(.badRequest, code: "invalid_request", message: message) }

    /// 422 `validation_failed` with field → message details.
    static func validationFailed(_ problems: [String: String]) -> APIError {
        let fields = problems.keys.sorted().joined(separator: ", ")
        return APIError(
            .unprocessableEntity, code: "validation_failed",
            message: "The request has invalid fields: \(fields).", details: problems
        )
    }
}

/// Accumulates field problems so one request answers one 422 with all of them (fleet's
/// `InvalidArgumentError`), instead of making the client fix them one round trip at a time.
struct ValidationProblems {
    private(set) var problems: [String: String] = [:]

    /// Records a problem; the first one recorded for a field wins.
    mutating func add(_ field: String, _ message: String) {
        if problems[field] == nil { problems[field] = message }
    }

    var isEmpty: Bool { problems.isEmpty }

    /// Throws 422 `validation_failed` when any problem was recorded.
    func check() throws {
        if !problems.isEmpty { throw APIError.validationFailed(problems) }
    }
}
