public import Foundation

/// Lowercase hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Encodes bytes as lowercase hex, two characters per byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output = [UInt8]()
        output.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes hex text (either case).
    ///
    /// - Throws: ``CryptoError/Code/invalidFormat`` on odd length or a non-hex character.
    public static func decode(_ text: some StringProtocol) throws -> Data {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { throw CryptoError(.invalidFormat, "hex: odd length") }
        func nibble(_ c: UInt8) throws -> UInt8 {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: throw CryptoError(.invalidFormat, "hex: unexpected character")
            }
        }
        var output = Data(capacity: utf8.count / 2)
        var index = 0
        while index < utf8.count {
            output.append(try nibble(utf8[index]) << 4 | nibble(utf8[index + 1]))
            index += 2
        }
        return output
    }
}
