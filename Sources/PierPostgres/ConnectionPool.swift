import Foundation
import PierStorage
import Synchronization

/// A bounded set of PostgreSQL connections, each confined to its own serial `DispatchQueue`.
///
/// At most `capacity` tasks hold a connection at once; others wait in order. Connections are opened
/// on first use and replaced when the server dropped them (a restart, a network cut), so a broken
/// connection costs one failed transaction, not the pool.
final class ConnectionPool: Sendable {
    /// One connection and the queue every libpq call on it runs on.
    final class Slot: @unchecked Sendable {
        let queue: DispatchQueue
        // Confined to `queue`: only read and written inside `queue` work items.
        private var connection: PostgresConnection?
        private let configuration: PostgresConfiguration

        init(label: String, configuration: PostgresConfiguration) {
            self.queue = DispatchQueue(label: label)
            self.configuration = configuration
        }

        /// Runs `work` on this slot's queue with a healthy connection (opening one if needed).
        func run<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    continuation.resume(with: Result { try self.runOnQueue(work) })
                }
            }
        }

        private func runOnQueue<T>(_ work: (PostgresConnection) throws -> T) throws -> T {
            if let existing = connection, !existing.isUsable {
                existing.close()
                connection = nil
            }
            let current: PostgresConnection
            if let connection {
                current = connection
            } else {
                current = try PostgresConnection(configuration: configuration)
                connection = current
            }
            defer {
                if !current.isUsable {
                    current.close()
                    connection = nil
                }
            }
            return try work(current)
        }

        /// Opens the connection now (to report an unreachable server at startup).
        func warmUp() async throws {
            try await run { _ in }
        }

        func close() async {
            await withCheckedContinuation { continuation in
                queue.async {
                    self.connection?.close()
                    self.connection = nil
                    continuation.resume()
                }
            }
        }
    }

    let slots: [Slot]
    private struct State {
        var free: [Int]
        var waiters: [CheckedContinuation<Int, Never>] = []
    }
    private let state: Mutex<State>

    init(name: String, capacity: Int, configuration: PostgresConfiguration) {
        precondition(capacity >= 1, "a pool needs at least one connection")
        slots = (0..<capacity).map { Slot(label: "pier.postgres.\(name).\($0)", configuration: configuration) }
        state = Mutex(State(free: Array((0..<capacity).reversed())))
    }

    /// Runs `work` on a free connection, waiting for one if all are busy.
    func run<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let index = await acquire()
        defer { release(index) }
        return try await slots[index].run(work)
    }

    private func acquire() async -> Int {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            let immediate: Int? = state.withLock { state in
                if let index = state.free.popLast() { return index }
                state.waiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    private func release(_ index: Int) {
        let waiter: CheckedContinuation<Int, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.free.append(index)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: index)
    }

    func close() async {
        for slot in slots { await slot.close() }
    }
}
