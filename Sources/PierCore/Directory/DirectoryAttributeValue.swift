/// A profile attribute value of any JSON type; Okta custom attributes can be strings, numbers,
/// booleans, arrays or null (REFERENCE §2.2), so profiles are open dictionaries of these.
public indirect enum DirectoryAttributeValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([DirectoryAttributeValue])
    case object([String: DirectoryAttributeValue])

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Most profile values are strings or null: try those first. Codable has no way to peek at the
        // type, so every miss below is a thrown DecodingError — expensive at 100,000 users × a dozen
        // attributes (and, under Swift Testing, each throw also captures a backtrace).
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([DirectoryAttributeValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: DirectoryAttributeValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
