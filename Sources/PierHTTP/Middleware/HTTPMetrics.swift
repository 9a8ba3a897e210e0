import Synchronization

/// Request counter and latency histogram labelled by method, route template and status, rendered in the
/// Prometheus text exposition format (version 0.0.4).
///
/// Labels use the route template (never the raw path), so cardinality is bounded by the route table;
/// requests that matched no route are labelled `route="unmatched"`.
public final class HTTPMetrics: Sendable {
    /// Histogram bucket upper bounds in seconds.
    public let buckets: [Double]

    private struct Key: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private struct Series {
        var count: UInt64 = 0
        var sum: Double = 0
        var bucketCounts: [UInt64]
    }

    private let series = Mutex<[Key: Series]>([:])

    /// Creates an empty registry.
    ///
    /// - Parameter buckets: Upper bounds in seconds, ascending; `+Inf` is implicit.
    public init(buckets: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]) {
        precondition(buckets == buckets.sorted(), "histogram buckets must ascend")
        self.buckets = buckets
    }

    /// Records one request.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - route: The route template, or nil when none matched.
    ///   - status: The response status code.
    ///   - seconds: The latency.
    public func record(method: String, route: String?, status: Int, seconds: Double) {
        let key = Key(method: method, route: route ?? "unmatched", status: status)
        let bucketIndex = buckets.firstIndex { seconds <= $0 }
        let bucketTotal = buckets.count
        series.withLock { all in
            // One hash lookup, mutated in place: copying the entry out would copy its bucket array.
            Self.add(seconds, bucketIndex: bucketIndex, to: &all[key, default: Series(bucketCounts: Array(repeating: 0, count: bucketTotal))])
        }
    }

    private static func add(_ seconds: Double, bucketIndex: Int?, to entry: inout Series) {
        entry.count += 1
        entry.sum += seconds
        if let bucketIndex { entry.bucketCounts[bucketIndex] += 1 }
    }

    /// The number of requests recorded with these labels.
    public func requestCount(method: String, route: String?, status: Int) -> Int {
        let key = Key(method: method, route: route ?? "unmatched", status: status)
        return Int(series.withLock { $0[key]?.count ?? 0 })
    }

    /// The metrics in Prometheus text format: `http_requests_total` (counter) and
    /// `http_request_duration_seconds` (histogram).
    public func prometheusText() -> String {
        let snapshot = series.withLock { $0 }
        let keys = snapshot.keys.sorted { ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status) }
        var out = "# HELP http_requests_total Total HTTP requests by method, route template and status.\n"
        out += "# TYPE http_requests_total counter\n"
        for key in keys {
            out += "http_requests_total{\(labels(key))} \(snapshot[key]!.count)\n"
        }
        out += "# HELP http_request_duration_seconds HTTP request latency by method, route template and status.\n"
        out += "# TYPE http_request_duration_seconds histogram\n"
        for key in keys {
            let entry = snapshot[key]!
            let base = labels(key)
            var cumulative: UInt64 = 0
            for (index, bound) in buckets.enumerated() {
                cumulative += entry.bucketCounts[index]
                out += "http_request_duration_seconds_bucket{\(base),le=\"\(format(bound))\"} \(cumulative)\n"
            }
            out += "http_request_duration_seconds_bucket{\(base),le=\"+Inf\"} \(entry.count)\n"
            out += "http_request_duration_seconds_sum{\(base)} \(format(entry.sum))\n"
            out += "http_request_duration_seconds_count{\(base)} \(entry.count)\n"
        }
        return out
    }

    private func labels(_ key: Key) -> String {
        "method=\"\(escape(key.method))\",route=\"\(escape(key.route))\",status=\"\(key.status)\""
    }

    private func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Records every request in an ``HTTPMetrics`` registry by method, route template and status.
public struct MetricsMiddleware: SynchronousMiddleware {
    let metrics: HTTPMetrics

    /// Creates the middleware.
    public init(metrics: HTTPMetrics) { self.metrics = metrics }

    public func handle(_ request: Request, context: RequestContext, next: Handler) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, response.status.code, start)
            return response
        } catch {
            record(request, context, AccessLogMiddleware.status(of: error), start)
            throw error
        }
    }

    public func handleSynchronously(_ request: Request, context: RequestContext, next: SynchronousHandler) throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try next(request, context)
            record(request, context, response.status.code, start)
            return response
        } catch {
            record(request, context, AccessLogMiddleware.status(of: error), start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: RequestContext, _ status: Int, _ start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.record(method: request.method.rawValue, route: context.routeTemplate, status: status, seconds: seconds)
    }
}
