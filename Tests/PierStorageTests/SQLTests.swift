import Foundation
import Testing
@testable import PierStorage

struct SQLTests {
    @Test func interpolatedValuesBecomeParameters() {
        let login = "'); DROP TABLE users; --"
        let limit = 5
        let sql: SQL = "SELECT * FROM users WHERE login = \(login) AND phone = \(nil as String?) LIMIT \(limit)"
        let sqlite = sql.render { _ in "?" }
        #expect(sqlite.text == "SELECT * FROM users WHERE login = ? AND phone = ? LIMIT ?")
        #expect(sqlite.arguments == [.text(login), .null, .integer(5)])
        let postgres = sql.render { "$\($0)" }
        #expect(postgres.text == "SELECT * FROM users WHERE login = $1 AND phone = $2 LIMIT $3")
        #expect(!sql.description.contains("DROP"))
    }

    @Test func fragmentsComposeAndKeepTheirParameters() {
        let filter: SQL = "status = \("active")"
        var sql: SQL = "SELECT id FROM users WHERE \(filter) AND id IN (\(list: ["a", "b"]))"
        sql.append(" ORDER BY id")
        let rendered = sql.render { "$\($0)" }
        #expect(rendered.text == "SELECT id FROM users WHERE status = $1 AND id IN ($2, $3) ORDER BY id")
        #expect(rendered.arguments == [.text("active"), .text("a"), .text("b")])
        let empty: SQL = "x IN (\(list: [String]()))"
        #expect(empty.render { _ in "?" }.text == "x IN (NULL)")
    }

    @Test func timestampsAreFixedWidthUTCWithMilliseconds() throws {
        let date = Date(timeIntervalSince1970: 1_772_352_930.25)
        #expect(Timestamp.format(date) == "2026-03-01T08:15:30.250Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        let parsed = try #require(Timestamp.parse("2026-03-01T08:15:30.250Z"))
        #expect(parsed == date)
        #expect(Timestamp.parse("2026-03-01 08:15:30Z") == Date(timeIntervalSince1970: 1_772_352_930))
        #expect(Timestamp.parse("2026-03-01T08:15:30.250+01:00") == nil)
        #expect(Timestamp.parse("garbage") == nil)
        // Text order is time order.
        let earlier = Timestamp.format(Date(timeIntervalSince1970: 999_999_999.999))
        let later = Timestamp.format(Date(timeIntervalSince1970: 1_000_000_000))
        #expect(earlier < later)
    }

    @Test func roundTripsEveryMillisecondOfADay() {
        for ms in Array(stride(from: 0, to: 86_400_000, by: 86_399)) + [3, 7, 999, 86_399_999] {
            let date = Date(timeIntervalSince1970: 1_700_000_000 + Double(ms) / 1000)
            let text = Timestamp.format(date)
            #expect(Timestamp.parse(text).map(Timestamp.format) == text)
        }
    }

    @Test func storageErrorDescriptionsHideValues() {
        let error = StorageError(.conflict, "UNIQUE constraint failed: api_tokens.token_hash", sql: "INSERT INTO api_tokens VALUES (?)")
        #expect(error.code == .conflict)
        #expect("\(error)".contains("api_tokens.token_hash"))
        switch error as any Error {
        case StorageError.conflict: break
        default: Issue.record("the ~= pattern should match the code")
        }
    }
}
