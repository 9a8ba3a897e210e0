import Foundation

/// A minimal, strict JSON reader over raw bytes, for hot paths that need a few fields of large
/// responses (PLATFORM.md, JSON). It validates the grammar of everything it skips (strings with
/// escapes, numbers, literals, nesting), so malformed input fails instead of yielding wrong fields.
struct JSONByteReader: ~Copyable {
    struct Failure: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var index = 0
    private let maximumDepth = 512

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index >= bytes.count }

    func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, without consuming it.
    mutating func peek() throws -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        return bytes[index]
    }

    mutating func expect(_ byte: UInt8) throws {
        guard try peek() == byte else { throw fail("expected '\(Character(UnicodeScalar(byte)))'") }
        index += 1
    }

    /// Consumes `byte` if it is next (after whitespace).
    mutating func consume(_ byte: UInt8) throws -> Bool {
        guard try peek() == byte else { return false }
        index += 1
        return true
    }

    /// Reads a string value and decodes its escapes.
    mutating func readString() throws -> String {
        try expect(0x22)
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                guard let text = String(validating: slice, as: UTF8.self) else { throw fail("invalid UTF-8") }
                return text
            }
            if byte == 0x5C { break }
            guard byte >= 0x20 else { throw fail("control character in string") }
            index += 1
        }
        var scalars = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x22:
                guard let text = String(validating: scalars, as: UTF8.self) else { throw fail("invalid UTF-8") }
                return text
            case 0x5C:
                guard index < bytes.count else { throw fail("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case 0x22, 0x5C, 0x2F: scalars.append(escape)
                case 0x62: scalars.append(0x08)
                case 0x66: scalars.append(0x0C)
                case 0x6E: scalars.append(0x0A)
                case 0x72: scalars.append(0x0D)
                case 0x74: scalars.append(0x09)
                case 0x75:
                    var code = try readHex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 else {
                            throw fail("unpaired surrogate")
                        }
                        index += 2
                        let low = try readHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw fail("unpaired surrogate")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid code point") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw fail("invalid escape")
                }
            default:
                guard byte >= 0x20 else { throw fail("control character in string") }
                scalars.append(byte)
            }
        }
    }

    /// Reads an object key and returns the index of the name it equals in `names`, or nil. A key without
    /// escapes is compared as bytes, without building a `String` (member pages have ~10 keys per element,
    /// 2.5 million keys in a 100k sync).
    mutating func readKey(matching names: [StaticString]) throws -> Int? {
        skipWhitespace()
        let start = index + 1
        var end = start
        while end < bytes.count, bytes[end] != 0x22, bytes[end] != 0x5C, bytes[end] >= 0x20 { end += 1 }
        guard end < bytes.count, bytes[end] == 0x22, index < bytes.count, bytes[index] == 0x22 else {
            // Escapes, control characters or malformed input: the full reader decides.
            let key = try readString()
            return names.firstIndex { $0.description == key }
        }
        let key = UnsafeBufferPointer(rebasing: bytes[start..<end])
        // The bytes must still be valid UTF-8, as readString() requires.
        guard key.allSatisfy({ $0 < 0x80 }) || String(validating: key, as: UTF8.self) != nil else { throw fail("invalid UTF-8") }
        index = end + 1
        return names.firstIndex { name in
            name.utf8CodeUnitCount == key.count && (key.isEmpty || memcmp(name.utf8Start, key.baseAddress!, key.count) == 0)
        }
    }

    private mutating func readHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw fail("invalid hex digit")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Skips a string, validating escapes.
    mutating func skipString() throws {
        try expect(0x22)
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x22: return
            case 0x5C:
                guard index < bytes.count else { throw fail("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: break
                case 0x75: _ = try readHex4()
                default: throw fail("invalid escape")
                }
            default:
                guard byte >= 0x20 else { throw fail("control character in string") }
            }
        }
        throw fail("unterminated string")
    }

    /// Skips any value, validating it.
    mutating func skipValue(depth: Int = 0) throws {
        guard depth < maximumDepth else { throw fail("nesting too deep") }
        switch try peek() {
        case 0x22: try skipString()
        case 0x7B:
            index += 1
            if try consume(0x7D) { return }
            repeat {
                try skipString()
                try expect(0x3A)
                try skipValue(depth: depth + 1)
            } while try consume(0x2C)
            try expect(0x7D)
        case 0x5B:
            index += 1
            if try consume(0x5D) { return }
            repeat { try skipValue(depth: depth + 1) } while try consume(0x2C)
            try expect(0x5D)
        case 0x74: try skipLiteral("true")
        case 0x66: try skipLiteral("false")
        case 0x6E: try skipLiteral("null")
        default: try skipNumber()
        }
    }

    private mutating func skipLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("truncated literal") }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where bytes[index + offset] != expected[offset] { throw fail("invalid literal") }
        index += count
    }

    /// Reads a number as a `Double` (the grammar is validated like ``skipValue(depth:)``).
    mutating func readNumber() throws -> Double {
        skipWhitespace()
        let start = index
        try skipNumber()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw fail("number out of range") }
        return value
    }

    /// Reads `null` if it is next (after whitespace).
    mutating func consumeNull() throws -> Bool {
        guard try peek() == 0x6E else { return false }
        try skipLiteral("null")
        return true
    }

    /// Reads `true` or `false`.
    mutating func readBool() throws -> Bool {
        switch try peek() {
        case 0x74: try skipLiteral("true"); return true
        case 0x66: try skipLiteral("false"); return false
        default: throw fail("expected a boolean")
        }
    }

    private mutating func skipNumber() throws {
        func digit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        if index < bytes.count, bytes[index] == 0x2D { index += 1 }
        guard digit(index) else { throw fail("invalid value") }
        if bytes[index] == 0x30 {
            index += 1
        } else {
            while digit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == 0x2E {
            index += 1
            guard digit(index) else { throw fail("invalid number") }
            while digit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == 0x65 || bytes[index] == 0x45 {
            index += 1
            if index < bytes.count, bytes[index] == 0x2B || bytes[index] == 0x2D { index += 1 }
            guard digit(index) else { throw fail("invalid exponent") }
            while digit(index) { index += 1 }
        }
    }
}
