import Foundation
import PierCore
import Testing

struct SyncScheduleTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let utc = TimeZone(identifier: "UTC")!

    static func at(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    static func schedule(_ json: String) throws -> SyncSchedule {
        try JSONDecoder().decode(SyncSchedule.self, from: Data(json.utf8))
    }

    struct Row: Sendable, CustomStringConvertible {
        var name: String
        var schedule: String
        var zone: String
        var after: String
        var expected: String?
        var description: String { name }
    }

    static let table: [Row] = [
        Row(name: "daily later today", schedule: #"{"frequency":"daily","time":"14:00"}"#, zone: "UTC",
            after: "2026-03-10T12:00:00Z", expected: "2026-03-10T14:00:00Z"),
        Row(name: "daily tomorrow when passed", schedule: #"{"frequency":"daily","time":"14:00"}"#, zone: "UTC",
            after: "2026-03-10T14:00:00Z", expected: "2026-03-11T14:00:00Z"),
        Row(name: "daily in Berlin winter", schedule: #"{"frequency":"daily","time":"02:30"}"#, zone: "Europe/Berlin",
            after: "2026-03-01T12:00:00Z", expected: "2026-03-02T01:30:00Z"),
        Row(name: "DST gap fires at the next valid minute", schedule: #"{"frequency":"daily","time":"02:30"}"#, zone: "Europe/Berlin",
            after: "2026-03-28T12:00:00Z", expected: "2026-03-29T01:00:00Z"),
        Row(name: "day after the gap is normal again", schedule: #"{"frequency":"daily","time":"02:30"}"#, zone: "Europe/Berlin",
            after: "2026-03-29T01:00:00Z", expected: "2026-03-30T00:30:00Z"),
        Row(name: "DST fold fires at the first occurrence", schedule: #"{"frequency":"daily","time":"02:30"}"#, zone: "Europe/Berlin",
            after: "2026-10-24T12:00:00Z", expected: "2026-10-25T00:30:00Z"),
        Row(name: "DST fold does not fire twice", schedule: #"{"frequency":"daily","time":"02:30"}"#, zone: "Europe/Berlin",
            after: "2026-10-25T00:30:00Z", expected: "2026-10-26T01:30:00Z"),
        Row(name: "hourly aligned to midnight", schedule: #"{"frequency":"hourly","everyHours":6}"#, zone: "UTC",
            after: "2026-03-10T06:00:00Z", expected: "2026-03-10T12:00:00Z"),
        Row(name: "hourly every hour", schedule: #"{"frequency":"hourly","everyHours":1}"#, zone: "UTC",
            after: "2026-03-10T06:59:59Z", expected: "2026-03-10T07:00:00Z"),
        Row(name: "hourly across midnight", schedule: #"{"frequency":"hourly","everyHours":5}"#, zone: "UTC",
            after: "2026-03-10T20:00:00Z", expected: "2026-03-11T00:00:00Z"),
        Row(name: "hourly in the gap", schedule: #"{"frequency":"hourly","everyHours":1}"#, zone: "Europe/Berlin",
            after: "2026-03-29T00:30:00Z", expected: "2026-03-29T01:00:00Z"),
        Row(name: "hourly after the gap", schedule: #"{"frequency":"hourly","everyHours":1}"#, zone: "Europe/Berlin",
            after: "2026-03-29T01:00:00Z", expected: "2026-03-29T02:00:00Z"),
        Row(name: "hourly fold: 02:00 once", schedule: #"{"frequency":"hourly","everyHours":1}"#, zone: "Europe/Berlin",
            after: "2026-10-24T23:30:00Z", expected: "2026-10-25T00:00:00Z"),
        Row(name: "hourly fold: repeated 02:00 skipped", schedule: #"{"frequency":"hourly","everyHours":1}"#, zone: "Europe/Berlin",
            after: "2026-10-25T00:00:00Z", expected: "2026-10-25T02:00:00Z"),
        Row(name: "weekly next monday", schedule: #"{"frequency":"weekly","weekday":"mon","time":"09:00"}"#, zone: "UTC",
            after: "2026-03-04T10:00:00Z", expected: "2026-03-09T09:00:00Z"),
        Row(name: "weekly same day later", schedule: #"{"frequency":"weekly","weekday":"wed","time":"11:00"}"#, zone: "UTC",
            after: "2026-03-04T10:00:00Z", expected: "2026-03-04T11:00:00Z"),
        Row(name: "weekly same day passed", schedule: #"{"frequency":"weekly","weekday":"wed","time":"09:00"}"#, zone: "UTC",
            after: "2026-03-04T10:00:00Z", expected: "2026-03-11T09:00:00Z"),
        Row(name: "weekly sunday in Berlin", schedule: #"{"frequency":"weekly","weekday":"sun","time":"00:30"}"#, zone: "Europe/Berlin",
            after: "2026-03-04T10:00:00Z", expected: "2026-03-07T23:30:00Z"),
        Row(name: "manual never fires", schedule: #"{"frequency":"manual"}"#, zone: "UTC", after: "2026-03-04T10:00:00Z", expected: nil),
    ]

    @Test(arguments: table)
    func nextFire(_ row: Row) throws {
        let schedule = try Self.schedule(row.schedule)
        let zone = try #require(TimeZone(identifier: row.zone))
        #expect(schedule.nextFire(after: Self.at(row.after), in: zone) == row.expected.map(Self.at))
    }

    @Test func missedRunsCollapseIntoOne() throws {
        let schedule = try Self.schedule(#"{"frequency":"daily","time":"02:00"}"#)
        let due = schedule.dueFire(lastChecked: Self.at("2026-03-01T00:00:00Z"), now: Self.at("2026-03-05T12:00:00Z"), in: Self.utc)
        #expect(due == Self.at("2026-03-05T02:00:00Z"))
        #expect(schedule.dueFire(lastChecked: Self.at("2026-03-05T02:00:00Z"), now: Self.at("2026-03-05T12:00:00Z"), in: Self.utc) == nil)
        // Down for a year: still once.
        #expect(schedule.dueFire(lastChecked: Self.at("2025-03-01T00:00:00Z"), now: Self.at("2026-03-05T12:00:00Z"), in: Self.utc)
                == Self.at("2026-03-05T02:00:00Z"))
        let hourly = try Self.schedule(#"{"frequency":"hourly","everyHours":1}"#)
        #expect(hourly.dueFire(lastChecked: Self.at("2026-03-05T09:10:00Z"), now: Self.at("2026-03-05T12:30:00Z"), in: Self.utc)
                == Self.at("2026-03-05T12:00:00Z"))
    }

    @Test func jsonRoundTrip() throws {
        for json in [
            #"{"frequency":"manual","fullEvery":"PT24H"}"#,
            #"{"everyHours":4,"frequency":"hourly","fullEvery":"PT24H"}"#,
            #"{"frequency":"daily","fullEvery":"PT48H","time":"02:30"}"#,
            #"{"frequency":"weekly","fullEvery":"PT24H","time":"23:59","weekday":"sun"}"#,
        ] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let schedule = try Self.schedule(json)
            #expect(String(decoding: try encoder.encode(schedule), as: UTF8.self) == json)
        }
        #expect(try Self.schedule(#"{"frequency":"daily","time":"02:30","fullEvery":"P7D"}"#).fullEvery == 7 * 86_400)
    }

    @Test(arguments: [
        #"{"frequency":"yearly"}"#, #"{"frequency":"hourly","everyHours":0}"#, #"{"frequency":"hourly","everyHours":25}"#,
        #"{"frequency":"daily"}"#, #"{"frequency":"daily","time":"24:00"}"#, #"{"frequency":"daily","time":"2:30"}"#,
        #"{"frequency":"weekly","time":"02:30","weekday":"monday"}"#, #"{"frequency":"daily","time":"02:30","fullEvery":"PT10M"}"#,
        #"{"frequency":"daily","time":"02:30","fullEvery":"24h"}"#,
    ])
    func invalidSchedulesAreRefused(_ json: String) {
        #expect(throws: (any Error).self) { try Self.schedule(json) }
    }

    @Test func durations() {
        #expect(SyncSchedule.parseDuration("PT24H") == 86_400)
        #expect(SyncSchedule.parseDuration("P1DT12H") == 129_600)
        #expect(SyncSchedule.parseDuration("PT90M") == 5_400)
        #expect(SyncSchedule.parseDuration("P") == nil)
        #expect(SyncSchedule.parseDuration("PT") == nil)
        #expect(SyncSchedule.parseDuration("PT5") == nil)
        #expect(SyncSchedule.parseDuration("P5H") == nil)
    }
}

struct SyncKindTests {
    @Test func defaultKind() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(SyncKind.defaultKind(lastFullSuccess: nil, hasWatermark: true, now: now, fullEvery: 86_400) == .full)
        #expect(SyncKind.defaultKind(lastFullSuccess: now, hasWatermark: false, now: now, fullEvery: 86_400) == .full)
        #expect(SyncKind.defaultKind(lastFullSuccess: now.addingTimeInterval(-3600), hasWatermark: true, now: now, fullEvery: 86_400) == .incremental)
        #expect(SyncKind.defaultKind(lastFullSuccess: now.addingTimeInterval(-86_400), hasWatermark: true, now: now, fullEvery: 86_400) == .full)
    }

    @Test(arguments: [
        (SyncKind.full, SyncKind?.none, SyncKind?.none, SyncRequestResolution.start(.full)),
        (.incremental, nil, nil, .start(.incremental)),
        (.incremental, .full, nil, .joinRunning),
        (.incremental, .incremental, nil, .joinRunning),
        (.full, .full, nil, .joinRunning),
        (.full, .incremental, nil, .queue(.full)),
        (.full, .incremental, .incremental, .joinQueued(upgradeTo: .full)),
        (.incremental, .incremental, .full, .joinRunning),
        (.full, .incremental, .full, .joinQueued(upgradeTo: nil)),
        (.incremental, nil, .incremental, .joinQueued(upgradeTo: nil)),
    ])
    func requestResolution(_ requested: SyncKind, _ running: SyncKind?, _ queued: SyncKind?, _ expected: SyncRequestResolution) {
        #expect(SyncRequestResolution.resolve(requested: requested, running: running, queued: queued) == expected)
    }
}
