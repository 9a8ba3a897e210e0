/// SQL text whose interpolated values become bound parameters.
///
/// ```swift
/// let sql: SQL = "SELECT * FROM users WHERE login = \(login) AND status = \(status)"
/// // sqlite:   SELECT * FROM users WHERE login = ? AND status = ?      [login, status]
/// // postgres: SELECT * FROM users WHERE login = $1 AND status = $2    [login, status]
/// ```
///
/// Every interpolated ``DatabaseValueConvertible`` is a parameter, never text, so injection is
/// impossible by construction. Fragments compose with `\(fragment)` when the value is itself a `SQL`.
/// Identifiers (table or column names) cannot be interpolated; pick them from a fixed allow-list and
/// use ``init(verbatim:)`` on a constant.
public struct SQL: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    enum Element: Sendable, Hashable {
        case text(String)
        case value(DatabaseValue)
    }

    private(set) var elements: [Element]

    /// SQL written in the source code, with no parameters.
    public init(stringLiteral value: String) {
        elements = [.text(value)]
    }

    /// SQL from a string that the program controls (a constant, a migration, an allow-listed
    /// identifier). Never pass user input here.
    public init(verbatim text: String) {
        elements = [.text(text)]
    }

    public init(stringInterpolation: StringInterpolation) {
        elements = stringInterpolation.elements
    }

    /// Builds interpolated SQL; values become parameters.
    public struct StringInterpolation: StringInterpolationProtocol {
        var elements: [Element] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            elements.reserveCapacity(interpolationCount * 2 + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            elements.append(.text(literal))
        }

        /// A bound parameter.
        public mutating func appendInterpolation(_ value: some DatabaseValueConvertible) {
            elements.append(.value(value.databaseValue))
        }

        /// A bound parameter that may be NULL.
        public mutating func appendInterpolation(_ value: (some DatabaseValueConvertible)?) {
            elements.append(.value(value?.databaseValue ?? .null))
        }

        /// A nested fragment, whose own parameters stay parameters.
        public mutating func appendInterpolation(_ fragment: SQL) {
            elements.append(contentsOf: fragment.elements)
        }

        /// A comma-separated list of parameters, for `IN (…)`. An empty list renders `NULL`, so
        /// `x IN (NULL)` matches nothing.
        public mutating func appendInterpolation(list values: [some DatabaseValueConvertible]) {
            if values.isEmpty {
                elements.append(.text("NULL"))
                return
            }
            for (index, value) in values.enumerated() {
                if index > 0 { elements.append(.text(", ")) }
                elements.append(.value(value.databaseValue))
            }
        }
    }

    /// Appends another fragment.
    public mutating func append(_ other: SQL) {
        elements.append(contentsOf: other.elements)
    }

    /// Returns this fragment followed by another.
    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        var result = lhs
        result.append(rhs)
        return result
    }

    /// The bound values, in order.
    public var arguments: [DatabaseValue] {
        elements.compactMap { if case .value(let value) = $0 { value } else { nil } }
    }

    /// Renders the text with one placeholder per parameter and returns it with the arguments.
    ///
    /// - Parameter placeholder: the placeholder for the n-th parameter (1-based): `?` for SQLite,
    ///   `$n` for PostgreSQL.
    public func render(placeholder: (Int) -> String) -> (text: String, arguments: [DatabaseValue]) {
        var text = ""
        var arguments: [DatabaseValue] = []
        for element in elements {
            switch element {
            case .text(let literal):
                text += literal
            case .value(let value):
                arguments.append(value)
                text += placeholder(arguments.count)
            }
        }
        return (text, arguments)
    }

    /// The text with `?` placeholders; safe to log (contains no bound values).
    public var description: String { render { _ in "?" }.text }
}
