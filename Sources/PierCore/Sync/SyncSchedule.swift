public import Foundation

/// A domain's sync schedule (the `schedule` JSON of DESIGN.md §5), evaluated in the portal's time zone.
///
/// ```json
/// {"frequency": "daily", "time": "02:30", "fullEvery": "PT24H"}
/// ```
///
/// Local times follow DESIGN.md §8: a time that does not exist (DST gap) fires at the next valid minute;
/// a repeated one (DST fold) fires once, at its first occurrence. Hourly schedules fire at local hours
/// aligned to midnight (`everyHours: 6` → 00:00, 06:00, 12:00, 18:00), like cron's `0 */6 * * *`.
public struct SyncSchedule: Hashable, Sendable, Codable {
    /// How often a domain syncs.
    public enum Frequency: Hashable, Sendable {
        /// Only on Sync Now.
        case manual
        /// Every `everyHours` hours (1…24), aligned to local midnight.
        case hourly(everyHours: Int)
        /// Every day at a local time.
        case daily(LocalTime)
        /// Every week on a day at a local time.
        case weekly(Weekday, LocalTime)
    }

    /// A wall-clock time `HH:MM`.
    public struct LocalTime: Hashable, Sendable, CustomStringConvertible {
        public var hour: Int
        public var minute: Int

        public init?(hour: Int, minute: Int) {
            guard (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
            self.hour = hour
            self.minute = minute
        }

        /// Parses `HH:MM` (two digits each).
        public init?(_ text: String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
                  let hour = Int(parts[0]), let minute = Int(parts[1]) else { return nil }
            self.init(hour: hour, minute: minute)
        }

        public var description: String {
            (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
        }

        var secondsOfDay: Int { hour * 3600 + minute * 60 }
    }

    /// A day of the week, spelled as in the schedule JSON.
    public enum Weekday: String, Hashable, Sendable, Codable, CaseIterable {
        case sun, mon, tue, wed, thu, fri, sat
        var index: Int { Self.allCases.firstIndex(of: self)! }
    }

    public var frequency: Frequency
    /// How old the last successful full run may get before a scheduled run is full (default 24 h).
    public var fullEvery: TimeInterval

    public init(frequency: Frequency, fullEvery: TimeInterval = 86_400) {
        self.frequency = frequency
        self.fullEvery = fullEvery
    }

    // MARK: - Evaluation

    /// The first fire time strictly after `date`, or nil for a manual schedule.
    public func nextFire(after date: Date, in timeZone: TimeZone) -> Date? {
        if case .manual = frequency { return nil }
        let after = date.timeIntervalSince1970
        let wall = after + Double(timeZone.secondsFromGMT(for: date))
        let firstDay = Int((wall / 86_400).rounded(.down)) - 1
        for day in firstDay...(firstDay + 9) {
            for secondsOfDay in fireTimes(onDay: day) {
                let candidate = Self.resolve(wall: Double(day) * 86_400 + Double(secondsOfDay), in: timeZone)
                if candidate > after { return Date(timeIntervalSince1970: candidate) }
            }
        }
        return nil
    }

    /// The one fire time to run now after the scheduler last looked at `lastChecked`: the latest fire in
    /// (`lastChecked`, `now`], or nil. After downtime the missed runs collapse into this one run.
    public func dueFire(lastChecked: Date, now: Date, in timeZone: TimeZone) -> Date? {
        // Only the latest missed fire matters; a week back covers every frequency.
        var cursor = max(lastChecked, now.addingTimeInterval(-8 * 86_400))
        var latest: Date?
        while let next = nextFire(after: cursor, in: timeZone), next <= now {
            latest = next
            cursor = next
        }
        return latest
    }

    /// Local seconds-of-day at which the schedule fires on civil day `day` (days since 1970-01-01).
    private func fireTimes(onDay day: Int) -> [Int] {
        switch frequency {
        case .manual:
            return []
        case .hourly(let every):
            let step = min(max(every, 1), 24)
            return stride(from: 0, to: 24, by: step).map { $0 * 3600 }
        case .daily(let time):
            return [time.secondsOfDay]
        case .weekly(let weekday, let time):
            // 1970-01-01 was a Thursday (index 4 with Sunday = 0).
            let index = ((day % 7) + 7 + 4) % 7
            return index == weekday.index ? [time.secondsOfDay] : []
        }
    }

    /// The instant at which the wall-clock time `wall` (seconds since 1970 as if UTC) first occurs in
    /// `timeZone`; a wall time inside a gap resolves to the next valid minute.
    static func resolve(wall: Double, in timeZone: TimeZone) -> Double {
        var current = wall
        for _ in 0..<(26 * 60) {
            let offsets = Set([-86_400.0, 0, 86_400].map { timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: current + $0)) })
            let valid = offsets.compactMap { offset -> Double? in
                let instant = current - Double(offset)
                return timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: instant)) == offset ? instant : nil
            }
            if let first = valid.min() { return first }
            current += 60
        }
        return wall - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: wall)))
    }

    // MARK: - JSON

    private enum CodingKeys: String, CodingKey {
        case frequency, everyHours, time, weekday, fullEvery
    }

    /// Thrown for a schedule document that breaks the rules of DESIGN.md §5.
    public struct InvalidSchedule: Error, Hashable, Sendable, CustomStringConvertible {
        /// The offending field.
        public var field: String
        /// What is wrong, for an administrator.
        public var message: String
        public var description: String { "\(field): \(message)" }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let frequency = try container.decode(String.self, forKey: .frequency)
        func time() throws -> LocalTime {
            let text = try container.decodeIfPresent(String.self, forKey: .time) ?? ""
            guard let time = LocalTime(text) else { throw InvalidSchedule(field: "time", message: "must be HH:MM (00:00–23:59)") }
            return time
        }
        switch frequency {
        case "manual":
            self.frequency = .manual
        case "hourly":
            let every = try container.decodeIfPresent(Int.self, forKey: .everyHours) ?? 1
            guard (1...24).contains(every) else { throw InvalidSchedule(field: "everyHours", message: "must be 1–24") }
            self.frequency = .hourly(everyHours: every)
        case "daily":
            self.frequency = .daily(try time())
        case "weekly":
            let text = try container.decodeIfPresent(String.self, forKey: .weekday) ?? ""
            guard let weekday = Weekday(rawValue: text) else { throw InvalidSchedule(field: "weekday", message: "must be mon…sun") }
            self.frequency = .weekly(weekday, try time())
        default:
            throw InvalidSchedule(field: "frequency", message: "must be manual, hourly, daily or weekly")
        }
        if let text = try container.decodeIfPresent(String.self, forKey: .fullEvery) {
            guard let seconds = Self.parseDuration(text), seconds >= 3600 else {
                throw InvalidSchedule(field: "fullEvery", message: "must be an ISO-8601 duration of at least one hour, e.g. PT24H")
            }
            self.fullEvery = seconds
        } else {
            self.fullEvery = 86_400
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch frequency {
        case .manual:
            try container.encode("manual", forKey: .frequency)
        case .hourly(let every):
            try container.encode("hourly", forKey: .frequency)
            try container.encode(every, forKey: .everyHours)
        case .daily(let time):
            try container.encode("daily", forKey: .frequency)
            try container.encode(time.description, forKey: .time)
        case .weekly(let weekday, let time):
            try container.encode("weekly", forKey: .frequency)
            try container.encode(time.description, forKey: .time)
            try container.encode(weekday.rawValue, forKey: .weekday)
        }
        try container.encode(Self.formatDuration(fullEvery), forKey: .fullEvery)
    }

    /// Parses the ISO-8601 durations schedules use: `PnD`, `PTnH`, `PTnM`, `PTnS` and combinations.
    public static func parseDuration(_ text: String) -> TimeInterval? {
        var rest = Substring(text)
        guard rest.first == "P" else { return nil }
        rest = rest.dropFirst()
        var total: TimeInterval = 0
        var inTime = false
        var number = ""
        var sawComponent = false
        for character in rest {
            if character == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
            } else if character.isASCII, character.isNumber {
                number.append(character)
            } else {
                guard let value = Double(number) else { return nil }
                number = ""
                sawComponent = true
                switch (inTime, character) {
                case (false, "D"): total += value * 86_400
                case (false, "W"): total += value * 604_800
                case (true, "H"): total += value * 3600
                case (true, "M"): total += value * 60
                case (true, "S"): total += value
                default: return nil
                }
            }
        }
        return number.isEmpty && sawComponent ? total : nil
    }

    /// Formats seconds as `PTnH` (whole hours) or `PTnS`.
    public static func formatDuration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds)
        if Double(whole) == seconds && whole % 3600 == 0 { return "PT\(whole / 3600)H" }
        if Double(whole) == seconds { return "PT\(whole)S" }
        return "PT\(seconds)S"
    }
}
