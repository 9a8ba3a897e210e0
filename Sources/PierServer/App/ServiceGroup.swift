public import PierLogging
import Dispatch
import Foundation
import Synchronization

/// Runs services side by side and shuts them down in reverse order.
///
/// Order expresses dependency: later services may use earlier ones, so on shutdown the last one drains
/// first. A graceful shutdown is triggered by one of `signals` (SIGTERM, SIGINT by default), by
/// ``triggerGracefulShutdown()``, or by any service returning or throwing. Each service then gets up to
/// `maximumGracefulShutdownDuration` to return before the remaining ones are cancelled.
public final class ServiceGroup: Sendable {
    public struct Configuration: Sendable {
        public var signals: [Int32]
        public var maximumGracefulShutdownDuration: Duration

        /// The termination signals a server reacts to.
        public static let terminationSignals: [Int32] = [SIGTERM, SIGINT]

        public init(signals: [Int32] = terminationSignals, maximumGracefulShutdownDuration: Duration = .seconds(30)) {
            self.signals = signals
            self.maximumGracefulShutdownDuration = maximumGracefulShutdownDuration
        }
    }

    private enum Event: Sendable {
        case shutdownRequested(reason: String)
        case serviceFinished(index: Int, error: (any Error)?)
    }

    private let services: [any Service]
    private let configuration: Configuration
    private let logger: Logger
    private let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation

    public init(services: [any Service], configuration: Configuration = .init(), logger: Logger) {
        self.services = services
        self.configuration = configuration
        self.logger = logger
        (events, eventSink) = AsyncStream<Event>.makeStream()
    }

    /// Starts a graceful shutdown of every service, last one first.
    public func triggerGracefulShutdown() {
        eventSink.yield(.shutdownRequested(reason: "requested"))
    }

    /// Runs every service until all have returned. Rethrows the first error a service threw.
    public func run() async throws {
        let signalSources = installSignalHandlers()
        defer { signalSources.forEach { $0.cancel() } }

        let shutdownSignals = services.map { _ in GracefulShutdownSignal() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, service) in services.enumerated() {
                let sink = eventSink
                group.addTask {
                    do {
                        try await GracefulShutdownSignal.$current.withValue(shutdownSignals[index]) {
                            try await service.run()
                        }
                        sink.yield(.serviceFinished(index: index, error: nil))
                    } catch {
                        sink.yield(.serviceFinished(index: index, error: error))
                    }
                }
            }

            var running = Set(services.indices)
            var firstError: (any Error)?
            var iterator = events.makeAsyncIterator()

            // Phase 1: wait for a reason to stop.
            phase1: while let event = await iterator.next() {
                switch event {
                case .shutdownRequested(let reason):
                    logger.info("Graceful shutdown started", metadata: ["shutdown.reason": reason])
                    break phase1
                case .serviceFinished(let index, let error):
                    running.remove(index)
                    if let error {
                        firstError = firstError ?? error
                        logger.error("Service failed; shutting down", metadata: ["service.index": "\(index)", "error": "\(error)"])
                    } else {
                        logger.info("Service finished; shutting down", metadata: ["service.index": "\(index)"])
                    }
                    break phase1
                }
            }

            // Phase 2: drain in reverse order, each within the grace period, then cancel what is left.
            for index in services.indices.reversed() where running.contains(index) {
                shutdownSignals[index].trigger()
                let deadline = ContinuousClock.now + configuration.maximumGracefulShutdownDuration
                let timeout = Task {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    if !Task.isCancelled { eventSink.yield(.shutdownRequested(reason: "timeout")) }
                }
                waiting: while running.contains(index), let event = await iterator.next() {
                    switch event {
                    case .serviceFinished(let finished, let error):
                        running.remove(finished)
                        if let error, !(error is CancellationError) { firstError = firstError ?? error }
                    case .shutdownRequested(let reason) where reason == "timeout":
                        logger.warning("Service did not stop in time; cancelling", metadata: ["service.index": "\(index)"])
                        break waiting
                    case .shutdownRequested:
                        continue
                    }
                }
                timeout.cancel()
                if running.contains(index) { break }
            }
            group.cancelAll()
            eventSink.finish()
            if let firstError { throw firstError }
        }
    }

    private func installSignalHandlers() -> [any DispatchSourceSignal] {
        configuration.signals.map { signalNumber in
            // The default action would kill the process before the drain; Dispatch needs it ignored.
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            let sink = eventSink
            let name = signalNumber == SIGTERM ? "SIGTERM" : signalNumber == SIGINT ? "SIGINT" : "signal \(signalNumber)"
            source.setEventHandler { sink.yield(.shutdownRequested(reason: name)) }
            source.resume()
            return source
        }
    }
}
