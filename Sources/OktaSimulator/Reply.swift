import Foundation

/// What a handler answers before the server adds Okta's common headers.
struct Reply: Sendable {
    var status: Int = 200
    /// nil = no body and no Content-Type (204).
    var body: [UInt8]?
    /// `Link` header values, in order (self, then next).
    var links: [String] = []

    static func json(_ value: JSON, status: Int = 200) -> Reply { Reply(status: status, body: value.encoded) }
    static let noContent = Reply(status: 204, body: nil)
    static let emptyObject = Reply(status: 200, body: Array("{}".utf8))

    /// Concatenates pre-encoded array items.
    static func array(_ items: [[UInt8]], links: [String] = []) -> Reply {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(items.reduce(2) { $0 + $1.count + 1 })
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item)
        }
        out.append(UInt8(ascii: "]"))
        return Reply(status: 200, body: out, links: links)
    }
}

/// The list parameters of a request, and Okta's `Link` construction for them (REFERENCE §2.3).
struct ListQuery: Sendable {
    var path: String
    var items: [(name: String, value: String)]

    func value(_ name: String) -> String? { items.first { $0.name == name }?.value }

    /// `limit` clamped to `1...maximum`, `defaultValue` when absent or not a number.
    func limit(default defaultValue: Int, maximum: Int) -> Int {
        guard let raw = value("limit"), let n = Int(raw) else { return defaultValue }
        if n < 1 { return defaultValue }
        return min(n, maximum)
    }

    /// `application/x-www-form-urlencoded` as Okta echoes it (`+` for spaces).
    static func formEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "*"):
                out.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: " "): out.append("+")
            default: out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `<base/path?limit=L&…>; rel="self"` and, with a cursor, `<…?after=C&limit=L&…>; rel="next"`.
    func links(base: String, limit: Int, next: String?) -> [String] {
        let others = items.filter { $0.name != "after" && $0.name != "limit" }
            .map { "\(Self.formEncode($0.name))=\(Self.formEncode($0.value))" }
        var selfItems = ["limit=\(limit)"] + others
        if let after = value("after") { selfItems.insert("after=\(Self.formEncode(after))", at: 0) }
        var result = ["<\(base)\(path)?\(selfItems.joined(separator: "&"))>; rel=\"self\""]
        if let next {
            let nextItems = ["after=\(Self.formEncode(next))", "limit=\(limit)"] + others
            result.append("<\(base)\(path)?\(nextItems.joined(separator: "&"))>; rel=\"next\"")
        }
        return result
    }
}

/// Walks a sorted key space from a cursor, collecting up to `limit` keys that pass `include`.
func paginate(_ keys: [String], after: String?, limit: Int, exactFullNext: Bool, include: (String) -> Bool) -> (page: [String], more: Bool) {
    var index = after.map { keys.upperBound($0) } ?? 0
    var page: [String] = []
    while index < keys.count, page.count < limit {
        if include(keys[index]) { page.append(keys[index]) }
        index += 1
    }
    guard page.count == limit else { return (page, false) }
    if exactFullNext { return (page, true) }
    while index < keys.count {
        if include(keys[index]) { return (page, true) }
        index += 1
    }
    return (page, false)
}

enum Cursor {
    static func encode(_ key: String) -> String {
        Data(key.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> String? {
        var s = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        guard let data = Data(base64Encoded: s) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
