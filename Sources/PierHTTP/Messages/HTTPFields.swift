/// An ordered list of header fields; names compare case-insensitively and repeated fields are kept.
///
/// ```swift
/// var fields = HTTPFields()
/// fields.append(name: "Link", value: "<a>; rel=\"self\"")
/// fields.append(name: "link", value: "<b>; rel=\"next\"")
/// fields.values(for: "LINK")   // both, in order
/// fields["content-type"]       // first value or nil
/// ```
public struct HTTPFields: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header line.
    public struct Field: Sendable, Equatable {
        /// The name as given (its case is kept for output).
        public var name: String
        /// The value.
        public var value: String

        /// Creates a field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    private var fields: [Field]

    /// Creates an empty list.
    public init() { fields = [] }

    /// Creates an empty list with room for `capacity` fields (the server reserves a request's head at once).
    public init(minimumCapacity capacity: Int) {
        fields = []
        fields.reserveCapacity(capacity)
    }

    /// Creates a list from fields, in order.
    public init(_ fields: [Field]) { self.fields = fields }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The number of fields, repeats included.
    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// The first value of the field `name`, or nil; setting replaces every field of that name (nil removes them).
    public subscript(name: String) -> String? {
        get { fields.first { Self.equal($0.name, name) }?.value }
        set {
            guard let newValue else { return remove(name: name) }
            // Replace in place: `remove` then `append` would copy a shared buffer (a cached response's
            // headers) and then grow it, two allocations on every response that gets a request id.
            guard let first = fields.firstIndex(where: { Self.equal($0.name, name) }) else {
                fields.reserveCapacity(fields.count + 1)
                fields.append(Field(name: name, value: newValue))
                return
            }
            fields[first] = Field(name: name, value: newValue)
            let rest = fields.index(after: first)
            if fields[rest...].contains(where: { Self.equal($0.name, name) }) {
                let kept = fields[rest...].filter { !Self.equal($0.name, name) }
                fields.replaceSubrange(rest..., with: kept)
            }
        }
    }

    /// Every value of the field `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.equal($0.name, name) }.map(\.value)
    }

    /// Whether a field `name` is present.
    public func contains(_ name: String) -> Bool { fields.contains { Self.equal($0.name, name) } }

    /// Adds a field after the existing ones, keeping any field of the same name.
    public mutating func append(name: String, value: String) { fields.append(Field(name: name, value: value)) }

    /// Removes every field named `name`.
    public mutating func remove(name: String) { fields.removeAll { Self.equal($0.name, name) } }

    /// ASCII case-insensitive comparison (field names are ASCII tokens, RFC 9110 §5.1), without
    /// allocating lower-cased copies: this runs several times per request.
    static func equal(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return zip(a.utf8, b.utf8).allSatisfy { x, y in
            x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A)
        }
    }
}
