import Foundation
@testable import PierCLI
import Testing

/// The pure pieces of the client commands: JSON in and out, tables, the progress display.
struct ClientFormattingTests {
    @Test func jsonPrintsSortedPrettyAndEscaped() throws {
        let body = Data(#"{"b": [1, 2.5, true, null], "a": "line\nbreak \"quoted\" \\ \u0001 é/", "e": {}, "f": [], "n": -3}"#.utf8)
        let json = try #require(JSON.parse(body))
        #expect(json.prettyText == #"""
            {
              "a": "line\nbreak \"quoted\" \\ \u0001 é/",
              "b": [
                1,
                2.5,
                true,
                null
              ],
              "e": {},
              "f": [],
              "n": -3
            }
            """#)
        // What it prints parses back to the same document.
        #expect(JSON.parse(Data(json.prettyText.utf8)) == json)
        #expect(json["b"]?.array?.map(\.cellText) == ["1", "2.5", "yes", "-"])
        #expect(JSON.parse(Data("<html>".utf8)) == nil)
    }

    @Test func idsCannotChangeTheRoute() {
        #expect(APIClient.segment("../admin?x=1#y") == "..%2Fadmin%3Fx=1%23y")
        #expect(APIClient.queryString([("q", "a&b=c+d é"), ("cursor", nil)]) == "?q=a%26b%3Dc%2Bd%20%C3%A9")
        #expect(APIClient.queryString([("cursor", nil)]) == "")
    }

    @Test func tablesAlignColumnsWithoutTrailingSpaces() {
        var table = TextTable("ID", "NAME", "TYPE")
        table.add("g1", "Everyone", "BUILT_IN")
        table.add("group-22", "Two\nlines", "OKTA_GROUP")
        #expect(table.lines == [
            "ID        NAME       TYPE",
            "g1        Everyone   BUILT_IN",
            "group-22  Two lines  OKTA_GROUP",
        ])
    }

    @Test(arguments: [
        (#"{"frequency": "manual"}"#, "manual"),
        (#"{"frequency": "hourly", "everyHours": 1}"#, "hourly"),
        (#"{"frequency": "hourly", "everyHours": 6}"#, "every 6 h"),
        (#"{"frequency": "daily", "time": "02:30"}"#, "daily 02:30"),
        (#"{"frequency": "weekly", "weekday": "fri", "time": "23:00"}"#, "weekly fri 23:00"),
    ])
    func schedulesReadLikeSentences(_ document: String, _ expected: String) throws {
        #expect(ResourceText.schedule(JSON.parse(Data(document.utf8))) == expected)
    }

    static func run(state: String, kind: String = "full", phase: String, pages: Int = 0, objects: Int = 0) -> JSON {
        .object([
            "id": .string("r1"), "state": .string(state), "kind": .string(kind),
            "progress": .object(["phase": .string(phase), "pages": .int(pages), "objects": .int(objects)]),
            "counts": .object(["users": .object(["created": .int(3)]), "memberships": .object(["added": .int(7)])]),
        ])
    }

    @Test func progressLinesOnAPipeOnlyWhenSomethingChanged() {
        let capture = TextSink.Capture()
        var display = SyncProgressDisplay(sink: capture.sink, isTerminal: false)
        display.update(Self.run(state: "running", phase: "starting"))
        display.update(Self.run(state: "running", phase: "users", pages: 1, objects: 200))
        display.update(Self.run(state: "running", phase: "users", pages: 1, objects: 200))
        display.update(Self.run(state: "running", phase: "deprovisioned_users", pages: 2, objects: 210))
        display.finish(Self.run(state: "succeeded", phase: "done"))
        #expect(capture.contents == """
            running: starting, 0 pages, 0 objects
            running: users, 1 pages, 200 objects
            running: deprovisioned users, 2 pages, 210 objects
            succeeded: users +3 ~0 -0  groups +0 ~0 -0  members +7 -0

            """)
    }

    @Test func theBarAdvancesByPhaseAndIsRedrawnInPlace() {
        let capture = TextSink.Capture()
        var display = SyncProgressDisplay(sink: capture.sink, isTerminal: true)
        display.update(Self.run(state: "running", phase: "groups", pages: 3, objects: 250))
        display.update(Self.run(state: "running", phase: "applying", pages: 9, objects: 900))
        display.finish(Self.run(state: "succeeded", phase: "done"))
        let frames = capture.contents.split(separator: "\r", omittingEmptySubsequences: true)
        #expect(frames.count == 3)
        // groups is phase 3 of 7 in a full run: 3/7 of 24 cells.
        #expect(frames[0] == "[##########--------------] running: groups, 3 pages, 250 objects")
        #expect(frames[1] == "[####################----] running: applying, 9 pages, 900 objects")
        // A shorter final text blanks what the longer one left, then ends the line.
        #expect(frames[2].hasPrefix("[########################] succeeded: users +3 ~0 -0  groups +0 ~0 -0  members +7 -0"))
        #expect(frames[2].hasSuffix("\n"))
        #expect(SyncProgressDisplay.fraction(Self.run(state: "running", kind: "incremental", phase: "changes")) == 0.25)
    }
}
