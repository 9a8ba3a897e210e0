/// An Okta API token (SSWS). Its `description` is `"<redacted>"`, so interpolating it into a log line or
/// an error message cannot leak it.
public struct OktaAPIToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The token value; read it only to build the `Authorization` header.
    public let value: String

    /// Wraps a token, trimming surrounding whitespace (pasted tokens often carry a newline).
    public init(_ value: String) {
        self.value = value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The last four characters, the only part Pier ever shows (DESIGN.md §1.1).
    public var lastFour: String { String(value.suffix(4)) }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

import Foundation
