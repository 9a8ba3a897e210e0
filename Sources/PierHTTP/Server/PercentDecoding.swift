/// The in-place `%HH` decoder libmicrohttpd calls for the request path and query (its unescape callback).
enum PercentDecoding {
    /// Decodes `%HH` escapes of the NUL-terminated `text` in place and returns the new length. A `%00` and a
    /// `%` not followed by two hex digits are kept as written, so the result never holds a NUL before its end.
    static func decodeInPlace(_ text: UnsafeMutablePointer<UInt8>) -> Int {
        var read = 0, write = 0
        while text[read] != 0 {
            // A `%` at the very end: `text[read + 1]` is the terminator, not a hex digit, so `text[read + 2]`
            // (past the end) is never read.
            if text[read] == UInt8(ascii: "%"), let high = hexValue(text[read + 1]), let low = hexValue(text[read + 2]),
               high != 0 || low != 0 {
                text[write] = high << 4 | low
                read += 3
            } else {
                text[write] = text[read]
                read += 1
            }
            write += 1
        }
        text[write] = 0
        return write
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
