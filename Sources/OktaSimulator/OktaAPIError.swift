import Foundation

/// An error answered with Okta's management-API envelope (REFERENCE §1.3).
struct OktaAPIError: Error, Sendable {
    var status: Int
    var code: String
    var summary: String
    var causes: [String] = []
    var link: String?

    static func notFound(_ what: String, _ kind: String) -> OktaAPIError {
        OktaAPIError(status: 404, code: "E0000007", summary: "Not found: Resource not found: \(what) (\(kind))")
    }
    static let notFoundPath = OktaAPIError(status: 404, code: "E0000007", summary: "Not found: Resource not found: path (Path)")
    static let invalidToken = OktaAPIError(status: 401, code: "E0000011", summary: "Invalid token provided")
    static let invalidSession = OktaAPIError(status: 403, code: "E0000005", summary: "Invalid session")
    static let accessDenied = OktaAPIError(status: 403, code: "E0000006", summary: "You do not have permission to perform the requested action")
    static let rateLimited = OktaAPIError(status: 429, code: "E0000047", summary: "API call exceeded rate limit due to too many requests.")
    static let internalError = OktaAPIError(status: 500, code: "E0000009", summary: "Internal Server Error", link: "E0000000")
    static let readOnlyMode = OktaAPIError(status: 503, code: "E0000010", summary: "Service is in read only mode")
    static let malformedJSON = OktaAPIError(status: 400, code: "E0000003", summary: "The request body was not well-formed.")
    static let filterAndSearch = OktaAPIError(
        status: 400, code: "E0000033", summary: "Search and filter parameters cannot be used together."
    )
    static let invalidPaging = OktaAPIError(status: 400, code: "E0000029", summary: "Invalid paging request.")
    static let methodNotSupported = OktaAPIError(status: 405, code: "E0000022", summary: "The endpoint does not support the provided HTTP method")

    static func validation(_ causes: [String]) -> OktaAPIError {
        OktaAPIError(status: 400, code: "E0000001", summary: "Api validation failed: \(causes.first.map { _ in "input" } ?? "input")", causes: causes)
    }
    static func invalidFilter(_ detail: String) -> OktaAPIError {
        OktaAPIError(status: 400, code: "E0000031", summary: "Invalid search criteria.", causes: [detail])
    }
    static func invalidDate(_ text: String) -> OktaAPIError {
        OktaAPIError(
            status: 400, code: "E0000030",
            summary: "Bad request. Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.",
            causes: [text]
        )
    }
    static func wrongStatus(_ summary: String) -> OktaAPIError {
        OktaAPIError(status: 403, code: "E0000038", summary: "This operation is not allowed in the user's current status.", causes: [summary])
    }
    static let groupGrantedAppUser = OktaAPIError(
        status: 403, code: "E0000046", summary: "Deactivate application for user forbidden.",
        causes: ["The application cannot be unassigned from the user while their group memberships grant them access"]
    )
    static let deleteActiveApp = OktaAPIError(status: 403, code: "E0000056", summary: "Delete application forbidden.")

    /// The envelope with a fresh `errorId`.
    func body(errorID: String) -> JSON {
        var causesJSON: [JSON] = []
        for cause in causes { causesJSON.append(.object(JSONObject(["errorSummary": .string(cause)]))) }
        return .object(JSONObject([
            "errorCode": .string(code),
            "errorSummary": .string(summary),
            "errorLink": .string(link ?? code),
            "errorId": .string(errorID),
            "errorCauses": .array(causesJSON),
        ]))
    }
}
