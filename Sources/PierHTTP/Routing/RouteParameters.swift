/// Values captured from `{name}` segments of a route template, in template order.
public struct RouteParameters: Sendable, Equatable {
    private var storage: [(name: String, value: String)]

    /// Creates an empty set.
    public init() { storage = [] }

    /// Creates parameters from name/value pairs.
    public init(_ pairs: [(String, String)]) { storage = pairs.map { (name: $0.0, value: $0.1) } }

    public static func == (lhs: RouteParameters, rhs: RouteParameters) -> Bool {
        lhs.storage.elementsEqual(rhs.storage) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The value of `name`, or nil.
    public subscript(name: String) -> String? { storage.first { $0.name == name }?.value }

    /// Whether there are no parameters.
    public var isEmpty: Bool { storage.isEmpty }

    /// The parameter names, in template order.
    public var names: [String] { storage.map(\.name) }

    /// The value of `name`.
    ///
    /// - Throws: ``HTTPError`` 400 `invalid_request` when it is missing (a route/handler mismatch).
    public func require(_ name: String) throws -> String {
        guard let value = self[name] else { throw HTTPError.invalidRequest("Missing path parameter '\(name)'.") }
        return value
    }

    /// The value of `name` converted to `T`.
    ///
    /// - Throws: ``HTTPError`` 400 `invalid_request` when it is missing or does not convert.
    public func require<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws -> T {
        let raw = try require(name)
        guard let value = T(raw) else { throw HTTPError.invalidRequest("Path parameter '\(name)' is not a valid \(T.self).") }
        return value
    }

    mutating func append(name: String, value: String) { storage.append((name: name, value: value)) }
}
