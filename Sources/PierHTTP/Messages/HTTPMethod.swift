/// An HTTP request method, always upper case ("GET", "POST", …).
public struct HTTPMethod: Sendable, Hashable, RawRepresentable, CustomStringConvertible, Comparable {
    /// The method token as sent on the request line.
    public let rawValue: String

    /// Creates a method from its token; the token is upper-cased.
    public init(rawValue: String) {
        // Runs for every request: only allocate when there is something to upper-case.
        self.rawValue = rawValue.utf8.contains { $0 >= 0x61 && $0 <= 0x7A } ? rawValue.uppercased() : rawValue
    }

    public var description: String { rawValue }
    public static func < (lhs: HTTPMethod, rhs: HTTPMethod) -> Bool { lhs.rawValue < rhs.rawValue }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")
    public static let options = HTTPMethod(rawValue: "OPTIONS")
}
