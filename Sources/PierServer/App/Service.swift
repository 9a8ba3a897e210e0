/// A long-running part of the server (the HTTP listener, later the sync scheduler).
///
/// Modelled on swift-service-lifecycle: the whole contract is `run()`. Work lives inside `run()` and
/// nowhere else (no `Task {}` from an initialiser). A service that wants to drain before it is
/// cancelled registers a handler with ``withGracefulShutdownHandler(operation:onGracefulShutdown:)``;
/// `run()` returns once the service has finished its in-flight work.
public protocol Service: Sendable {
    /// Runs until the service is done, gracefully shut down or cancelled.
    func run() async throws
}
