public import Foundation

/// The one text form of a point in time in every Pier database: `2026-03-01T08:15:30.250Z`.
///
/// ISO-8601, UTC, always with exactly three fractional digits, so the text sorts in time order and
/// compares with `<` in SQL on every backend. SQLite produces the same form with
/// `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`. Precision is one millisecond (truncated toward the past).
public enum Timestamp {
    /// Formats a date as `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC, milliseconds).
    public static func format(_ date: Date) -> String {
        // Truncate to the millisecond, but treat values within a microsecond of a whole millisecond
        // as that millisecond: binary doubles cannot hold most decimal fractions exactly, and
        // 1_700_000_000.003 × 1000 is 1_700_000_000_002.9998.
        let scaled = date.timeIntervalSince1970 * 1000
        let nearest = scaled.rounded()
        let totalMs = Int64(abs(scaled - nearest) < 0.001 ? nearest : scaled.rounded(.down))
        var days = totalMs / 86_400_000
        var msOfDay = totalMs % 86_400_000
        if msOfDay < 0 {
            msOfDay += 86_400_000
            days -= 1
        }
        let (year, month, day) = civilFromDays(days)
        let hour = msOfDay / 3_600_000
        let minute = (msOfDay / 60_000) % 60
        let second = (msOfDay / 1000) % 60
        let ms = msOfDay % 1000
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(hour, 2) + ":" + pad(minute, 2)
            + ":" + pad(second, 2) + "." + pad(ms, 3) + "Z"
    }

    /// Parses the form written by ``format(_:)``; also accepts no or 1–9 fractional digits and a
    /// space instead of `T`. Returns nil for anything else (an offset other than `Z`, a bad field).
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ start: Int, _ length: Int) -> Int64? {
            var value: Int64 = 0
            for index in start..<(start + length) {
                let byte = bytes[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fractionMs: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            var scale: Int64 = 100
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if digits < 3 { fractionMs += Int64(bytes[index] - 0x30) * scale; scale /= 10 }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
        }
        guard index == bytes.count - 1, bytes[index] == UInt8(ascii: "Z") else { return nil }
        let days = daysFromCivil(year, month, day)
        let ms = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + fractionMs
        return Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    // Proleptic Gregorian calendar arithmetic in 400-year eras (146,097 days each), with years
    // starting in March so the leap day falls last; days are counted from 1970-01-01.
    private static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    private static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
