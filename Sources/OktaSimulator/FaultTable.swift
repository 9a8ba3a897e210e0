import Foundation
import Synchronization

/// One injected fault (DESIGN.md §5 `POST /__sim/faults`): applies to the next `count` matching requests
/// after `skip` of them.
struct Fault: Sendable {
    enum Kind: String, Sendable { case e500 = "500", e503 = "503", e429 = "429", delay, truncate, html, reset, mutate }

    struct Mutation: Sendable {
        var op: String
        var target: String?
        var status: String?
        var group: String?
    }

    var segments: [String]
    var method: String?
    var kind: Kind
    var skip: Int
    var count: Int
    var delayMs: Int
    var mutation: Mutation?

    /// Exact path or `{…}` template; the query is ignored.
    func matches(method: String, path: String) -> Bool {
        if let m = self.method, m.uppercased() != method.uppercased() { return false }
        let parts = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/").map(String.init) } ?? []
        guard parts.count == segments.count else { return false }
        return zip(parts, segments).allSatisfy { $1.hasPrefix("{") || $0 == $1 }
    }

    static func parse(_ object: JSONObject) throws -> Fault {
        guard let path = object["path"]?.stringValue, let kindText = object["fault"]?.stringValue ?? object["fault"].flatMap({
            if case .int(let i) = $0 { return String(i) }; return nil
        }), let kind = Kind(rawValue: kindText) else {
            throw OktaAPIError.validation(["path and fault are required; fault is one of 500, 503, 429, delay, truncate, html, reset, mutate"])
        }
        func int(_ key: String, _ fallback: Int) -> Int {
            if case .int(let i)? = object[key] { return i }
            return fallback
        }
        var mutation: Mutation?
        if let m = object["mutate"]?.objectValue {
            guard let op = m["op"]?.stringValue, ["delete-user", "set-status", "remove-member"].contains(op) else {
                throw OktaAPIError.validation(["mutate.op is one of delete-user, set-status, remove-member"])
            }
            mutation = Mutation(op: op, target: m["target"]?.stringValue, status: m["status"]?.stringValue, group: m["group"]?.stringValue)
        }
        if kind == .mutate, mutation == nil { throw OktaAPIError.validation(["mutate requires a mutate object"]) }
        let segments = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/").map(String.init) } ?? []
        return Fault(
            segments: segments, method: object["method"]?.stringValue, kind: kind, skip: max(0, int("skip", 0)),
            count: max(1, int("count", 1)), delayMs: max(0, int("delayMs", 1000)), mutation: mutation
        )
    }
}

/// The pending faults, consumed in order of registration.
final class FaultTable: Sendable {
    private let faults = Mutex<[Fault]>([])

    func add(_ fault: Fault) { faults.withLock { $0.append(fault) } }
    func clear() { faults.withLock { $0.removeAll() } }
    var pending: Int { faults.withLock { $0.count } }

    /// The fault that applies to this request, if any (each matching fault counts the request once).
    func take(method: String, path: String) -> Fault? {
        faults.withLock { faults in
            var chosen: Fault?
            for index in faults.indices where faults[index].matches(method: method, path: path) {
                if faults[index].skip > 0 {
                    faults[index].skip -= 1
                } else if chosen == nil, faults[index].count > 0 {
                    faults[index].count -= 1
                    chosen = faults[index]
                }
            }
            faults.removeAll { $0.count == 0 }
            return chosen
        }
    }
}
