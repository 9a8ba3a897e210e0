/// Aborting a connection instead of answering: for test doubles that must simulate a peer that drops
/// the connection mid-request (what clients see as "connection reset" / "empty reply").
///
/// ```swift
/// router.getSync("/flaky") { _, _ in .abortingConnection }
/// ```
///
/// ``HTTPServer`` never sends such a response: it closes the connection without a status line. Other
/// requests and connections are unaffected.
extension Response {
    /// The marker header ``HTTPServer`` looks for; never sent on the wire.
    static let abortMarker = "X-Pier-Abort-Connection"

    /// A response that makes ``HTTPServer`` close the connection without answering.
    public static var abortingConnection: Response {
        Response(status: .internalServerError, headers: [abortMarker: "1"])
    }

    /// Whether ``HTTPServer`` closes the connection instead of sending this response.
    public var abortsConnection: Bool { headers.contains(Self.abortMarker) }
}
