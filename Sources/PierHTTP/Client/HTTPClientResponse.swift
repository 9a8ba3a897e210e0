public import Foundation

/// The final response to an ``HTTPClientRequest``.
public struct HTTPClientResponse: Sendable {
    /// The status code of the final response (after any `100 Continue` or followed redirect).
    public var status: Int
    /// Every header line of the final response, in the order received; repeated names (for example
    /// two `Link` lines) stay separate entries.
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: Data

    /// Creates a response (for test doubles of ``HTTPClient``).
    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The values of every header line called `name` (compared case-insensitively), in order.
    ///
    /// Lines are not merged or split: a server sending `Link: <a>; rel="self"` and
    /// `Link: <b>; rel="next"` on two lines yields two values, one sending them comma-joined yields one.
    public func headers(named name: String) -> [String] {
        headers.filter { Self.equalsIgnoringASCIICase($0.name, name) }.map(\.value)
    }

    /// The value of the first header line called `name`, compared case-insensitively.
    public func header(named name: String) -> String? {
        headers.first { Self.equalsIgnoringASCIICase($0.name, name) }?.value
    }

    private static func equalsIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
        let left = lhs.utf8
        let right = rhs.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { a, b in
            let lowerA = (0x41...0x5A).contains(a) ? a | 0x20 : a
            let lowerB = (0x41...0x5A).contains(b) ? b | 0x20 : b
            return lowerA == lowerB
        }
    }
}
