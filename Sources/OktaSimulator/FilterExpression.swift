import Foundation

/// A SCIM-like `filter`/`search` expression (REFERENCE §2.4): `attr op "value"` terms joined by
/// `and`/`or` (and binds tighter), parentheses, operators `eq sw co gt ge lt le pr` (case-insensitive).
indirect enum FilterExpression: Sendable {
    case compare(attribute: String, op: String, value: JSON?)
    case and(FilterExpression, FilterExpression)
    case or(FilterExpression, FilterExpression)

    struct ParseError: Error { var detail: String }

    static let operators: Set<String> = ["eq", "sw", "co", "gt", "ge", "lt", "le", "pr"]

    /// Every (attribute, operator) pair in the expression, for allow-list checks.
    var comparisons: [(attribute: String, op: String, value: JSON?)] {
        switch self {
        case .compare(let a, let o, let v): return [(a, o, v)]
        case .and(let l, let r), .or(let l, let r): return l.comparisons + r.comparisons
        }
    }

    static func parse(_ text: String) throws -> FilterExpression {
        var tokens = try tokenize(text)[...]
        let expression = try parseOr(&tokens)
        guard tokens.isEmpty else { throw ParseError(detail: "Unexpected token '\(tokens.first!)'") }
        return expression
    }

    private enum Token: CustomStringConvertible {
        case word(String), string(String), open, close
        var description: String {
            switch self {
            case .word(let w): return w
            case .string(let s): return "\"\(s)\""
            case .open: return "("
            case .close: return ")"
            }
        }
    }

    private static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        var chars = Array(text)[...]
        while let c = chars.first {
            if c.isWhitespace { chars.removeFirst(); continue }
            if c == "(" { tokens.append(.open); chars.removeFirst(); continue }
            if c == ")" { tokens.append(.close); chars.removeFirst(); continue }
            if c == "\"" {
                chars.removeFirst()
                var value = ""
                var closed = false
                while let d = chars.first {
                    chars.removeFirst()
                    if d == "\\", let e = chars.first { value.append(e); chars.removeFirst(); continue }
                    if d == "\"" { closed = true; break }
                    value.append(d)
                }
                guard closed else { throw ParseError(detail: "Unterminated string") }
                tokens.append(.string(value))
                continue
            }
            var word = ""
            while let d = chars.first, !d.isWhitespace, d != "(", d != ")", d != "\"" { word.append(d); chars.removeFirst() }
            tokens.append(.word(word))
        }
        return tokens
    }

    private static func parseOr(_ tokens: inout ArraySlice<Token>) throws -> FilterExpression {
        var left = try parseAnd(&tokens)
        while case .word(let w)? = tokens.first, w.lowercased() == "or" {
            tokens.removeFirst()
            left = .or(left, try parseAnd(&tokens))
        }
        return left
    }

    private static func parseAnd(_ tokens: inout ArraySlice<Token>) throws -> FilterExpression {
        var left = try parseTerm(&tokens)
        while case .word(let w)? = tokens.first, w.lowercased() == "and" {
            tokens.removeFirst()
            left = .and(left, try parseTerm(&tokens))
        }
        return left
    }

    private static func parseTerm(_ tokens: inout ArraySlice<Token>) throws -> FilterExpression {
        guard let first = tokens.popFirst() else { throw ParseError(detail: "Unexpected end of expression") }
        switch first {
        case .open:
            let inner = try parseOr(&tokens)
            guard case .close? = tokens.popFirst() else { throw ParseError(detail: "Missing ')'") }
            return inner
        case .word(let attribute):
            guard case .word(let rawOp)? = tokens.popFirst(), operators.contains(rawOp.lowercased()) else {
                throw ParseError(detail: "Invalid operator after '\(attribute)'")
            }
            let op = rawOp.lowercased()
            if op == "pr" { return .compare(attribute: attribute, op: op, value: nil) }
            guard let valueToken = tokens.popFirst() else { throw ParseError(detail: "Missing value") }
            switch valueToken {
            case .string(let s): return .compare(attribute: attribute, op: op, value: .string(s))
            case .word(let w):
                if w == "true" { return .compare(attribute: attribute, op: op, value: .bool(true)) }
                if w == "false" { return .compare(attribute: attribute, op: op, value: .bool(false)) }
                if w == "null" { return .compare(attribute: attribute, op: op, value: .null) }
                if let i = Int(w) { return .compare(attribute: attribute, op: op, value: .int(i)) }
                throw ParseError(detail: "Invalid value '\(w)'")
            default: throw ParseError(detail: "Invalid value")
            }
        default: throw ParseError(detail: "Unexpected token '\(first)'")
        }
    }

    /// Whether a resource matches; `lookup` returns an attribute's value (nil when absent).
    func matches(_ lookup: (String) -> JSON?) -> Bool {
        switch self {
        case .and(let l, let r): return l.matches(lookup) && r.matches(lookup)
        case .or(let l, let r): return l.matches(lookup) || r.matches(lookup)
        case .compare(let attribute, let op, let value):
            let actual = lookup(attribute)
            if op == "pr" { if let actual, !actual.isNull { return true }; return false }
            guard let actual, let value else { return false }
            if Self.isDateAttribute(attribute), case .string(let a) = actual, case .string(let v) = value,
               let at = Timestamp.parse(a), let vt = Timestamp.parse(v) {
                return Self.compare(at.milliseconds, vt.milliseconds, op)
            }
            switch (actual, value) {
            case (.string(let a), .string(let v)):
                let al = a.lowercased(), vl = v.lowercased()
                switch op {
                case "eq": return al == vl
                case "sw": return al.hasPrefix(vl)
                case "co": return al.contains(vl)
                default: return Self.compare(al, vl, op)
                }
            case (.int(let a), .int(let v)): return op == "eq" ? a == v : Self.compare(a, v, op)
            case (.bool(let a), .bool(let v)): return op == "eq" && a == v
            case (.null, .null): return op == "eq"
            default: return false
            }
        }
    }

    static func isDateAttribute(_ name: String) -> Bool {
        ["created", "lastUpdated", "lastMembershipUpdated", "activated", "statusChanged", "lastLogin", "passwordChanged", "published"].contains(name)
    }

    private static func compare<T: Comparable>(_ a: T, _ b: T, _ op: String) -> Bool {
        switch op {
        case "eq": return a == b
        case "gt": return a > b
        case "ge": return a >= b
        case "lt": return a < b
        case "le": return a <= b
        default: return false
        }
    }
}
