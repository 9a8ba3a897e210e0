import Foundation
import PierCore

/// Options `pier domains add` and `pier domains update` share: self-enroll, the schedule, and where the
/// Okta API token comes from.
enum DomainOptions {
    static let selfEnroll: [OptionSpec] = [
        .flag("self-enroll", help: "Let this org's users enroll devices by signing in with Okta", environment: .none),
        .flag("no-self-enroll", help: "Turn Okta self-enrollment off", environment: .none),
    ]

    static let schedule: [OptionSpec] = [
        .value("schedule", "FREQUENCY", help: "Sync schedule: manual, hourly, daily or weekly", environment: .none),
        .value("every-hours", "N", help: "With hourly: every N hours, 1 to 24 (default 1)", environment: .none),
        .value("time", "HH:MM", help: "With daily or weekly: the time of day, in the portal's time zone", environment: .none),
        .value("weekday", "DAY", help: "With weekly: mon, tue, wed, thu, fri, sat or sun", environment: .none),
    ]

    /// The Okta token is a secret: it is never an argument (DESIGN.md §5), so these spellings are
    /// answered with where to put it instead of "unknown option".
    static let refusedTokenOptions: [String: String] = {
        let message = "the Okta API token is never taken from an argument (it would show in ps and in shell history); "
            + "use --api-token-file PATH, the PIER_OKTA_TOKEN environment variable, or standard input"
        return ["api-token": message, "okta-token": message]
    }()

    /// The environment variable that may hold the Okta API token.
    static let tokenVariable = "PIER_OKTA_TOKEN"

    /// `--self-enroll` → true, `--no-self-enroll` → false, neither → nil.
    static func selfEnrollChoice(_ options: ParsedOptions) throws -> Bool? {
        switch (options.flag("self-enroll"), options.flag("no-self-enroll")) {
        case (true, true): throw UsageError("give --self-enroll or --no-self-enroll, not both")
        case (true, false): return true
        case (false, true): return false
        case (false, false): return nil
        }
    }

    /// The schedule document (DESIGN.md §5 `schedule`, without `fullEvery`), or nil when no schedule
    /// option was given.
    ///
    /// - Throws: ``UsageError`` for an unknown frequency, a malformed value, or an option that does
    ///   not fit the frequency (`--time` with hourly).
    static func scheduleDocument(_ options: ParsedOptions) throws -> [String: JSON]? {
        let everyHours = options.value("every-hours")
        let time = options.value("time")
        let weekday = options.value("weekday")
        guard let frequency = options.value("schedule") else {
            if everyHours != nil || time != nil || weekday != nil {
                throw UsageError("--every-hours, --time and --weekday need --schedule hourly, daily or weekly")
            }
            return nil
        }
        var document: [String: JSON] = ["frequency": .string(frequency)]
        func refuse(_ flag: String, _ value: String?) throws {
            if value != nil { throw UsageError("--\(flag) does not apply to --schedule \(frequency)") }
        }
        func localTime() throws -> JSON {
            guard let time else { throw UsageError("--schedule \(frequency) needs --time HH:MM") }
            guard let parsed = SyncSchedule.LocalTime(time) else {
                throw UsageError("--time must be HH:MM from 00:00 to 23:59; got '\(time)'")
            }
            return .string(parsed.description)
        }
        switch frequency {
        case "manual":
            try refuse("every-hours", everyHours)
            try refuse("time", time)
            try refuse("weekday", weekday)
        case "hourly":
            try refuse("time", time)
            try refuse("weekday", weekday)
            let text = everyHours ?? "1"
            guard let hours = Int(text), (1...24).contains(hours) else {
                throw UsageError("--every-hours must be a whole number from 1 to 24; got '\(text)'")
            }
            document["everyHours"] = .int(hours)
        case "daily":
            try refuse("every-hours", everyHours)
            try refuse("weekday", weekday)
            document["time"] = try localTime()
        case "weekly":
            try refuse("every-hours", everyHours)
            guard let weekday else { throw UsageError("--schedule weekly needs --weekday DAY (mon … sun)") }
            guard let day = SyncSchedule.Weekday(rawValue: weekday.lowercased()) else {
                throw UsageError("--weekday must be one of mon, tue, wed, thu, fri, sat, sun; got '\(weekday)'")
            }
            document["weekday"] = .string(day.rawValue)
            document["time"] = try localTime()
        default:
            throw UsageError("--schedule must be one of manual, hourly, daily, weekly; got '\(frequency)'")
        }
        return document
    }

    /// Reads the Okta API token from the file, else `PIER_OKTA_TOKEN`, else standard input (prompted
    /// for without echo on a terminal).
    ///
    /// - Parameters:
    ///   - file: `--api-token-file`, if given.
    ///   - useEnvironment: Whether `PIER_OKTA_TOKEN` counts (always for add; on request for update).
    ///   - useStandardInput: Whether standard input counts.
    /// - Throws: ``UsageError`` when no source holds a token, or the source is unusable.
    static func oktaToken(
        file: String?, useEnvironment: Bool, useStandardInput: Bool, domain: String, context: CLIContext
    ) async throws -> String {
        let what = "Okta API token"
        if let file { return try SecretFile.read(file, what: what, origin: "--api-token-file") }
        if useEnvironment, let value = context.environment[tokenVariable] {
            return try SecretFile.check(value, what: what, origin: tokenVariable)
        }
        if useStandardInput, let text = await context.standardInput.read(prompt: "Okta API token for \(domain): ") {
            return try SecretFile.check(text, what: what, origin: "standard input")
        }
        throw UsageError("no Okta API token: give --api-token-file PATH, set \(tokenVariable), or pipe the token on standard input")
    }
}
