public import Foundation
public import PierCore
public import PierLogging
public import PierStorage

/// The stores the scheduler reads.
public typealias SyncSchedulerStores = DirectoryConfigurationStore & SettingsStore & SchedulerSlotStore

/// Starts scheduled syncs (DESIGN.md §8). Each tick looks at every domain: the latest fire time of its
/// schedule since the last claimed slot (or the domain's creation) — after downtime the missed fires
/// collapse into one — in the portal's time zone (`portal.time_zone`, UTC when unset); it claims the
/// (domain, fire) slot, so one instance starts it, waits a little jitter and runs it (incremental unless
/// the last full run is older than `fullEvery`). At most ``Configuration/maxConcurrentRuns`` run at once
/// on this instance; a domain over the cap waits for a later tick (its fire stays due). Cancelling
/// ``run()`` stops running syncs between pages; they are recorded `interrupted`.
public final class SyncScheduler<C: Clock<Duration>>: Sendable {
    public struct Configuration: Sendable {
        /// How often ``run()`` ticks.
        public var tickInterval: Duration = .seconds(30)
        /// Concurrent scheduled syncs on this instance (default 2).
        public var maxConcurrentRuns = 2
        /// The largest jitter before a scheduled start.
        public var maxJitter: Duration = .seconds(20)
        /// A number in `0..<1` (injectable for tests).
        public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }

        public init() {}
    }

    let engine: SyncEngine<C>
    let stores: any SyncSchedulerStores
    let makeSource: @Sendable (DirectoryRecord) async throws -> any DirectorySource
    let clock: C
    let now: @Sendable () -> Date
    let logger: Logger
    let configuration: Configuration
    /// This instance's cap on concurrent syncs (shared with the runner of queued runs).
    let capacity: SyncCapacity

    /// Creates a scheduler.
    ///
    /// - Parameters:
    ///   - engine: Runs the syncs (its owner names this instance in slots).
    ///   - makeSource: A fresh directory source for a domain (decrypts its token).
    ///   - capacity: The instance's cap, when shared with a ``QueuedSyncRunner``; by default one of
    ///     ``Configuration/maxConcurrentRuns`` places for the scheduler alone.
    public init(
        engine: SyncEngine<C>, stores: any SyncSchedulerStores, makeSource: @escaping @Sendable (DirectoryRecord) async throws -> any DirectorySource,
        clock: C, now: @escaping @Sendable () -> Date, logger: Logger, configuration: Configuration = Configuration(),
        capacity: SyncCapacity? = nil
    ) {
        self.engine = engine
        self.stores = stores
        self.makeSource = makeSource
        self.clock = clock
        self.now = now
        self.logger = logger
        self.configuration = configuration
        self.capacity = capacity ?? SyncCapacity(limit: configuration.maxConcurrentRuns)
    }

    /// Ticks until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                do {
                    for start in try await dueStarts() {
                        group.addTask { _ = await self.perform(start) }
                    }
                } catch {
                    logger.warning("scheduler tick failed", metadata: ["error": "\(error)"])
                }
                do { try await clock.sleep(for: configuration.tickInterval) } catch { break }
            }
            group.cancelAll()
        }
    }

    /// One tick that waits for the runs it started (tests, and `pier` one-shot use).
    @discardableResult
    public func tick() async throws -> [SyncRunRecord] {
        let starts = try await dueStarts()
        return await withTaskGroup(of: SyncRunRecord?.self) { group in
            for start in starts { group.addTask { await self.perform(start) } }
            var records: [SyncRunRecord] = []
            for await record in group { if let record { records.append(record) } }
            return records
        }
    }

    /// A claimed scheduled start.
    struct Start: Sendable {
        var directory: DirectoryRecord
        var fire: Date
    }

    /// The fires due now whose slot this instance claimed, within the concurrency cap.
    func dueStarts() async throws -> [Start] {
        let timeZone = try await stores.setting(.timeZone).flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        let current = now()
        var starts: [Start] = []
        for directory in try await stores.directories() {
            let lastChecked = try await stores.latestSlot(directory: directory.id) ?? directory.createdAt
            guard let fire = directory.schedule.dueFire(lastChecked: lastChecked, now: current, in: timeZone) else { continue }
            guard capacity.reserve() else { break }
            let claimed: Bool
            do {
                claimed = try await stores.claimSlot(directory: directory.id, scheduledFor: fire, owner: engine.configuration.owner, at: current)
            } catch {
                capacity.release()
                // Slots already claimed must still run: return them, the next tick tries the rest.
                guard starts.isEmpty else { break }
                throw error
            }
            if claimed {
                starts.append(Start(directory: directory, fire: fire))
            } else {
                capacity.release()
            }
        }
        return starts
    }

    /// Runs one claimed start; returns its record (nil when it did not run).
    func perform(_ start: Start) async -> SyncRunRecord? {
        defer { capacity.release() }
        let jitter = Double(configuration.maxJitter.components.seconds) * configuration.random()
        do {
            if jitter > 0 { try await clock.sleep(for: .milliseconds(Int(jitter * 1000))) }
            let directory = start.directory
            let kind = SyncKind.defaultKind(
                lastFullSuccess: directory.lastFullSyncAt, hasWatermark: directory.watermark != nil, now: now(),
                fullEvery: directory.schedule.fullEvery)
            let source: any DirectorySource
            do {
                source = try await makeSource(directory)
            } catch {
                // Not just a log line: the domain's run list shows the scheduled sync that did not happen and why.
                logger.error("scheduled sync could not start", metadata: [
                    "directory.id": directory.id.rawValue, "error.type": "\(type(of: error))",
                ])
                return try await stores.recordUnstartedFire(
                    SyncRunID(UUID().uuidString.lowercased()), directory: directory.id, scheduledFor: start.fire, kind: kind,
                    error: .domainSettingsUnusable(error), at: now())
            }
            let record = try await engine.runSync(directory: directory.id, source: source, trigger: .schedule, kind: kind)
            try? await stores.attachRun(record.id, directory: directory.id, scheduledFor: start.fire)
            return record
        } catch SyncEngineError.alreadyRunning {
            // A run of the domain is going on (Sync Now or another instance): the scheduled fire joins it.
            logger.info("scheduled sync joined a running one", metadata: ["directory.id": start.directory.id.rawValue])
            return nil
        } catch {
            logger.warning("scheduled sync could not start", metadata: ["directory.id": start.directory.id.rawValue, "error": "\(error)"])
            return nil
        }
    }
}
