public import Foundation

/// Okta's timestamp format: ISO 8601 UTC, with or without milliseconds (`2017-07-13T22:08:09.000Z`).
public enum OktaTimestamp {
    /// Parses `yyyy-MM-ddTHH:mm:ss[.fff…]Z` (also accepts a `+00:00` offset).
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for i in start..<(start + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x74, b[13] == 0x3A, b[16] == 0x3A,
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        var index = 19
        var millis = 0
        if b[index] == 0x2E {
            index += 1
            var digits = 0
            while index < b.count, b[index] >= 0x30, b[index] <= 0x39 {
                if digits < 3 { millis = millis * 10 + Int(b[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        guard index < b.count else { return nil }
        if b[index] == 0x5A || b[index] == 0x7A {
            guard index + 1 == b.count else { return nil }
        } else {
            guard index + 6 == b.count, b[index] == 0x2B || b[index] == 0x2D,
                number(index + 1, 2) == 0, b[index + 3] == 0x3A, number(index + 4, 2) == 0
            else { return nil }
        }
        return CivilTime.date(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millis)
    }

    /// Formats as Okta's filters expect: `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (REFERENCE §2.2).
    public static func format(_ date: Date) -> String {
        let c = CivilTime.components(of: date)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):"
            + "\(pad(c.second, 2)).\(pad(c.millisecond, 3))Z"
    }

    /// A `JSONDecoder` that reads Okta timestamps.
    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an Okta timestamp: \(text)")
            }
            return date
        }
        return decoder
    }
}
