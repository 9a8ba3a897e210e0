public import Foundation
import PierCore
import PierLogging
public import PierHTTP
public import PierStorage

/// The unauthenticated operations endpoints: `/healthz`, `/readyz`, `/metrics` (DESIGN.md §1.5).
public struct OperationsRoutes: Sendable {
    let health: any HealthCheck
    let metrics: HTTPMetrics
    let startedAt: Date

    public init(health: any HealthCheck, metrics: HTTPMetrics, startedAt: Date = Date()) {
        self.health = health
        self.metrics = metrics
        self.startedAt = startedAt
    }

    struct Status: Encodable {
        var status: String
        var reason: String?
    }

    /// A router with the standard middleware chain and the operations routes.
    ///
    /// Middleware order, outermost first: request id (so every later record carries it), access log,
    /// metrics (so error responses are counted with their final status), then error mapping.
    public func makeRouter() -> Router {
        let router = Router()
        router.add(middleware: RequestIDMiddleware())
            .add(middleware: AccessLogMiddleware())
            .add(middleware: MetricsMiddleware(metrics: metrics))
            .add(middleware: ErrorMiddleware())
        addRoutes(to: router)
        return router
    }

    public func addRoutes(to router: RouterGroup) {
        // Liveness: answers as long as the process serves HTTP; checks nothing else on purpose, so an
        // orchestrator does not restart Pier because the database is briefly away.
        router.getSync("/healthz") { _, _ in
            try Response.json(Status(status: "ok"))
        }
        // Readiness: the database answers a trivial query.
        router.get("/readyz") { _, context in
            do {
                try await health.ping()
                return try Response.json(Status(status: "ready"))
            } catch {
                context.logger.warning("Readiness check failed: database unreachable", metadata: ["error": "\(error)"])
                return try Response.json(Status(status: "unavailable", reason: "database unreachable"), status: .serviceUnavailable)
            }
        }
        router.getSync("/metrics") { _, _ in
            var text = metrics.prometheusText()
            text += processMetrics()
            var response = Response.text(text)
            response.headers.remove(name: "Content-Type")
            response.headers.append(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
            return response
        }
    }

    /// Process gauges in Prometheus' conventional names.
    func processMetrics() -> String {
        var lines = [
            "# HELP pier_build_info Pier version.",
            "# TYPE pier_build_info gauge",
            "pier_build_info{version=\"\(PierVersion.current)\"} 1",
            "# HELP process_start_time_seconds Start time of the process since the Unix epoch in seconds.",
            "# TYPE process_start_time_seconds gauge",
            "process_start_time_seconds \(Int(startedAt.timeIntervalSince1970))",
        ]
        if let rss = Self.residentMemoryBytes() {
            lines += [
                "# HELP process_resident_memory_bytes Resident memory size in bytes.",
                "# TYPE process_resident_memory_bytes gauge",
                "process_resident_memory_bytes \(rss)",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// VmRSS from /proc/self/status (Linux).
    static func residentMemoryBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first
        return kilobytes.map { $0 * 1024 }
    }
}
