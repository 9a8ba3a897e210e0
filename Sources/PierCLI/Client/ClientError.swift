import Foundation

/// Why a client command failed; printed as `Error: …` and exit status 1.
///
/// Each case says what happened and what to do about it. No case carries the API token or the Okta
/// token: messages are built from the server URL, HTTP statuses and the server's own error body, which
/// never contains secrets (DESIGN.md §7).
struct ClientError: Error, CustomStringConvertible {
    enum Kind: Equatable {
        /// The server answered with Pier's error body.
        case api(status: Int, code: String)
        /// No answer: refused, unresolvable, timed out, TLS.
        case unreachable
        /// An answer that is not Pier's API (HTML, a proxy's page, JSON of another shape).
        case unexpectedResponse
    }

    var kind: Kind
    var description: String

    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// The server's `{"error": {"code", "message", "details"}}`, as `code: message` and one indented
    /// line per field detail, plus a hint where the fix is on the client's side.
    static func api(status: Int, error: JSON) -> ClientError {
        let code = error["code"]?.string ?? "error"
        let message = error["message"]?.string ?? "HTTP \(status)"
        var lines = ["\(code): \(message)"]
        if let details = error["details"]?.object {
            for field in details.keys.sorted() {
                lines.append("  \(field): \(details[field]?.string ?? details[field].cellText)")
            }
        }
        switch status {
        case 401:
            lines.append("Check the API token (--token, --token-file, PIER_TOKEN or PIER_TOKEN_FILE); "
                + "create one on the server host with `pier admin token create`.")
        case 403:
            lines.append("The API token is valid but may not do this.")
        default:
            break
        }
        return ClientError(.api(status: status, code: code), lines.joined(separator: "\n"))
    }
}
