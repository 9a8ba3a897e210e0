import Foundation
import PierLogging
import Testing

struct LoggerTests {
    @Test func recordsBelowTheLevelAreDroppedWithoutBuildingThem() {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "test", level: .notice, handler: handler)
        var built = false
        func expensive() -> String { built = true; return "detail" }
        logger.info("hidden", metadata: ["x": expensive()])
        #expect(!built)
        logger.warning("shown", metadata: ["x": expensive()])
        #expect(built)
        #expect(handler.records.map(\.message) == ["shown"])
        #expect(handler.records.first?.level == .warning)
    }

    @Test func metadataMergesWithCallSiteWinning() {
        let handler = InMemoryLogHandler()
        var logger = Logger(label: "test", level: .trace, handler: handler)
        logger[metadataKey: "request.id"] = "r1"
        logger[metadataKey: "db.path"] = "/a"
        logger.debug("m", metadata: ["db.path": "/b"])
        #expect(handler.records.first?.metadata == ["request.id": "r1", "db.path": "/b"])
        #expect(handler.records.first?.label == "test")
    }

    @Test func jsonLinesAreValidJSONWithEscapes() throws {
        let record = LogRecord(
            timestamp: Date(timeIntervalSince1970: 1_790_000_000.25), level: .error, label: "pier.http",
            message: "quote \" backslash \\ newline \n tab \t bell \u{07} é", metadata: ["b.key": "v\"", "a.key": "1"])
        let line = JSONLinesLogHandler.encode(record)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
        let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: String])
        #expect(object["msg"] == record.message)
        #expect(object["level"] == "error")
        #expect(object["label"] == "pier.http")
        #expect(object["ts"] == "2026-09-21T14:13:20.250Z")
        #expect(object["b.key"] == "v\"")
        // Fixed keys first, then metadata sorted: stable output for operators' tools.
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasPrefix(#"{"ts":"#))
        #expect(text.range(of: #""a.key""#)!.lowerBound < text.range(of: #""b.key""#)!.lowerBound)
    }

    @Test(arguments: Logger.Level.allCases)
    func levelNamesRoundTrip(_ level: Logger.Level) {
        #expect(Logger.Level(name: level.description) == level)
        #expect(Logger.Level(name: level.description.uppercased()) == level)
    }
}
