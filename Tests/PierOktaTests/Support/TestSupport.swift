import Foundation
import PierHTTP
import Synchronization

/// Fixture files copied from Okta (see Fixtures/README of the shared material).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    static func names(in subdirectory: String = "") throws -> [String] {
        let url = subdirectory.isEmpty ? directory : directory.appendingPathComponent(subdirectory)
        return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".json") }.sorted()
            .map { subdirectory.isEmpty ? $0 : "\(subdirectory)/\($0)" }
    }
}

/// A clock whose sleeps return at once and move its time forward: tests observe waits without waiting.
final class JumpingClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let current = Mutex(Instant(offset: .zero))
    private let sleeps = Mutex<[Duration]>([])
    let epoch: Date

    init(epoch: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        self.epoch = epoch
    }

    var now: Instant { current.withLock { $0 } }
    var minimumResolution: Duration { .nanoseconds(1) }

    /// The wall-clock date matching `now`.
    var date: Date { epoch.addingTimeInterval(now.offset.secondsValue) }

    var recordedSleeps: [Duration] { sleeps.withLock { $0 } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        current.withLock { value in
            let wait = value.duration(to: deadline)
            sleeps.withLock { $0.append(wait) }
            if deadline > value { value = deadline }
        }
        await Task.yield()
    }

    func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }
}

extension Duration {
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// An ``HTTPClient`` test double that answers from a closure and records requests.
final class ScriptedHTTPClient: HTTPClient, Sendable {
    typealias Handler = @Sendable (HTTPClientRequest, Int) throws -> HTTPClientResponse

    private let handler: Handler
    private let log = Mutex<[HTTPClientRequest]>([])

    init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    var requests: [HTTPClientRequest] { log.withLock { $0 } }

    func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let index = log.withLock { log in
            log.append(request)
            return log.count - 1
        }
        await Task.yield()
        return try handler(request, index)
    }
}

/// Response helpers.
enum Reply {
    static func json(
        _ status: Int = 200, _ body: Data, links: [String] = [], extra: [(name: String, value: String)] = []
    ) -> HTTPClientResponse {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json;charset=UTF-8")]
        headers += links.map { ("Link", $0) }
        headers += extra
        return HTTPClientResponse(status: status, headers: headers, body: body)
    }

    static func json(_ status: Int = 200, _ text: String, links: [String] = [], extra: [(name: String, value: String)] = []) -> HTTPClientResponse {
        json(status, Data(text.utf8), links: links, extra: extra)
    }

    static func error(_ status: Int, _ code: String, extra: [(name: String, value: String)] = []) -> HTTPClientResponse {
        json(status, "{\"errorCode\":\"\(code)\",\"errorSummary\":\"x\",\"errorLink\":\"\(code)\",\"errorId\":\"oae1\",\"errorCauses\":[]}", extra: extra)
    }
}

/// Query parameter of a URL string.
func queryValue(_ url: String, _ name: String) -> String? {
    URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
}

@testable import PierOkta

/// The ``OktaError`` thrown by `body`, if any.
func oktaError(_ body: () throws -> Void) -> OktaError? {
    do {
        try body()
        return nil
    } catch {
        return error as? OktaError
    }
}

/// The ``OktaError`` thrown by an async `body`, if any.
func oktaError(_ body: () async throws -> Void) async -> OktaError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? OktaError
    }
}
