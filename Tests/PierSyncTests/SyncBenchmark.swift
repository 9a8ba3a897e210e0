import Foundation
import OktaSimulator
import PierCore
import PierStorage
import PierSync
import PierTestSupport
import Testing

/// `bench/sync/in-process`: a full sync of a seeded org from the in-process simulator (rate limits off) into
/// each available backend, one after the other, with its figures. Runs only with `PIER_BENCH_SYNC=1`.
@Suite(.serialized)
struct SyncBenchmark {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    @Test(.enabled(if: environment["PIER_BENCH_SYNC"] != nil))
    func fullSync() async throws {
        let users = Int(Self.environment["PIER_BENCH_USERS"] ?? "") ?? 10_000
        let groups = Int(Self.environment["PIER_BENCH_GROUPS"] ?? "") ?? 200
        let seedStart = ContinuousClock.now
        try await SimulatedOrg.with(users: users, groups: groups) { org in
            let seeded = ContinuousClock.now - seedStart
            let statuses = org.server.userStatuses
            let deprovisioned = statuses.values.count { $0 == "DEPROVISIONED" }
            let listed = statuses.count - deprovisioned
            var minimum = max(1, (listed + 199) / 200) + max(1, (deprovisioned + 199) / 200) + max(1, (org.server.groupIDs.count + 9_999) / 10_000)
            for (id, type) in org.server.groupTypes where type != "BUILT_IN" {
                minimum += max(1, (org.server.memberIDs(of: id).count + 999) / 1000)
            }
            let summary = org.server.summary
            print("bench-sync: org \(summary.users) users (\(deprovisioned) deprovisioned), \(summary.groups) groups, \(summary.memberships) memberships outside Everyone, largest group \(summary.largestGroup); seeded in \(Self.seconds(seeded)) s")
            print("bench-sync: DESIGN §10 minimum requests = \(minimum) (+1 org count, + confirmation GETs)")
            var timings: [StorageBackend: Double] = [:]
            for backend in StorageBackend.available {
                try await backend.withDatabase { database in
                    let store = SQLStore(database: database)
                    let directory = try await SyncEngineTests.makeDirectory(store)
                    let engine = SyncEngineTests.engine(store)
                    let cpuBefore = Self.cpuSeconds()
                    let start = ContinuousClock.now
                    let run = try await engine.runFullSync(directory: directory, source: org.source(), trigger: .initial)
                    let wall = Self.seconds(ContinuousClock.now - start)
                    let cpu = Self.cpuSeconds() - cpuBefore
                    timings[backend] = wall
                    #expect(run.state == .succeeded, "\(String(describing: run.error))")
                    let imported = try await store.directoryUsers(directory).count
                    print(String(
                        format: "bench-sync[%@]: full sync %.2f s wall, %.2f s CPU (process: Pier + in-process simulator), %d users imported, %.0f users/s, %d Okta requests = %.3f × minimum, peak RSS %.1f MB",
                        backend.rawValue, wall, cpu, imported, Double(imported) / wall, run.oktaRequests,
                        Double(run.oktaRequests) / Double(minimum), Self.peakRSSMegabytes()))
                }
            }
            if let sqlite = timings[.sqlite], let postgres = timings[.postgres] {
                print(String(format: "bench-sync: PostgreSQL / SQLite wall-time ratio %.2f", postgres / sqlite))
            }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// User + system CPU seconds of this process.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// `VmHWM` of /proc/self/status.
    static func peakRSSMegabytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kilobytes / 1024
    }
}
