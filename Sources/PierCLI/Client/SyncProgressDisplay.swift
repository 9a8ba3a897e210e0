import Foundation

/// Shows a running sync while `pier sync now --wait` polls it: on a terminal one bar redrawn in place,
/// otherwise one plain line each time the progress changes (for logs and CI, where `\r` is noise).
///
/// Okta does not say up front how many objects a walk will see, so the bar advances by phase (users,
/// deprovisioned users, groups, members, confirming, applying) and the counts beside it move within
/// a phase.
struct SyncProgressDisplay {
    private let sink: TextSink
    private let isTerminal: Bool
    private var lastText: String?
    private var drawnWidth = 0

    static let fullPhases = ["starting", "users", "deprovisioned_users", "groups", "members", "confirming", "applying"]
    static let incrementalPhases = ["starting", "changes", "confirming", "applying"]
    static let barWidth = 24

    init(sink: TextSink, isTerminal: Bool) {
        self.sink = sink
        self.isTerminal = isTerminal
    }

    /// Shows the run's current progress (nothing when it has not changed since the last call).
    mutating func update(_ run: JSON) {
        let state = run["state"]?.string ?? "running"
        let text = "\(state): \(ResourceText.progress(run))"
        guard text != lastText else { return }
        lastText = text
        if isTerminal {
            draw(Self.bar(fraction: Self.fraction(run)) + " " + text)
        } else {
            sink.write(text + "\n")
        }
    }

    /// Shows the end: a full bar and a line break on a terminal, the final state as a line otherwise.
    mutating func finish(_ run: JSON) {
        let text = "\(run["state"].cellText): \(ResourceText.counts(run))"
        if isTerminal {
            draw(Self.bar(fraction: 1) + " " + text)
            sink.write("\n")
        } else {
            sink.write(text + "\n")
        }
    }

    /// Overwrites the previous bar: carriage return, the text, and spaces over what a longer previous
    /// text left behind.
    private mutating func draw(_ line: String) {
        let padding = max(0, drawnWidth - line.count)
        sink.write("\r" + line + String(repeating: " ", count: padding))
        drawnWidth = line.count
    }

    /// The share of phases done: the current phase's position among the run kind's phases.
    static func fraction(_ run: JSON) -> Double {
        let phases = run["kind"]?.string == "incremental" ? incrementalPhases : fullPhases
        guard let phase = run["progress"]?["phase"]?.string, let index = phases.firstIndex(of: phase) else { return 0 }
        return Double(index) / Double(phases.count)
    }

    /// `[#########---------------]`.
    static func bar(fraction: Double) -> String {
        let filled = min(barWidth, max(0, Int((fraction * Double(barWidth)).rounded(.down))))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "]"
    }
}
