import Foundation

/// Milliseconds since the Unix epoch, formatted as Okta does (`2017-07-13T22:08:09.000Z`).
struct Timestamp: Sendable, Hashable, Comparable {
    var milliseconds: Int64

    init(milliseconds: Int64) { self.milliseconds = milliseconds }
    init(seconds: Int64) { milliseconds = seconds * 1000 }
    init(_ date: Date) { milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Okta's resource timestamps have second resolution (`.000Z`, REFERENCE §7.1).
    var truncatedToSecond: Timestamp { Timestamp(milliseconds: milliseconds - ((milliseconds % 1000) + 1000) % 1000) }

    var seconds: Int64 { milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000 }

    /// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`.
    var iso8601: String {
        let secs = seconds
        let millis = Int(milliseconds - secs * 1000)
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let secOfDay = Int(secs - days * 86400)
        let (y, m, d) = Timestamp.civil(fromDays: days)
        // Written byte by byte: seeding formats ~6 timestamps per user.
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, at start: Int, digits: Int) {
            var v = value
            for i in stride(from: start + digits - 1, through: start, by: -1) {
                bytes[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(max(0, min(9999, y)), at: 0, digits: 4); bytes[4] = UInt8(ascii: "-")
        put(m, at: 5, digits: 2); bytes[7] = UInt8(ascii: "-")
        put(d, at: 8, digits: 2); bytes[10] = UInt8(ascii: "T")
        put(secOfDay / 3600, at: 11, digits: 2); bytes[13] = UInt8(ascii: ":")
        put(secOfDay / 60 % 60, at: 14, digits: 2); bytes[16] = UInt8(ascii: ":")
        put(secOfDay % 60, at: 17, digits: 2); bytes[19] = UInt8(ascii: ".")
        put(millis, at: 20, digits: 3); bytes[23] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    var json: JSON { .string(iso8601) }

    /// Parses `yyyy-MM-ddTHH:mm:ss[.SSS](Z|±HH:mm)`; nil when malformed (Okta answers E0000030).
    static func parse(_ text: String) -> Timestamp? {
        let b = Array(text.utf8)
        func num(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var v = 0
            for i in start..<(start + count) {
                guard (0x30...0x39).contains(b[i]) else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == 0x2D, let mo = num(5, 2), b[7] == 0x2D, let d = num(8, 2),
              b[10] == UInt8(ascii: "T"), let h = num(11, 2), b[13] == 0x3A, let mi = num(14, 2), b[16] == 0x3A,
              let s = num(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        var i = 19
        var millis = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, (0x30...0x39).contains(b[i]) {
                if digits < 3 { millis = millis * 10 + Int(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        var offset = 0
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "+") ? 1 : -1
            guard let oh = num(i + 1, 2) else { return nil }
            var j = i + 3
            if j < b.count, b[j] == 0x3A { j += 1 }
            guard let om = num(j, 2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            i = j + 2
        } else { return nil }
        guard i == b.count else { return nil }
        let days = days(fromCivil: y, mo, d)
        let secs = Int64(days) * 86400 + Int64(h * 3600 + mi * 60 + s) - Int64(offset)
        return Timestamp(milliseconds: secs * 1000 + Int64(millis))
    }

    // Howard Hinnant's civil-from-days algorithms.
    static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y0 - 1 : y0)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(m > 2 ? m - 3 : m + 9)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
