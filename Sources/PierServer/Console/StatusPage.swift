import Foundation
import PierCore
import PierHTTP
import PierStorage

/// `GET /`: a read-only status page for administrators, until the web console of DESIGN.md §1.5 exists.
///
/// Server-rendered HTML, no script, every value escaped (``HTML/escape(_:)``), no secret (not even the
/// token hint). It shows the portal, each Okta domain with its user and group counts and its latest run
/// (state, times, changes, error, live progress while running). It is not public: a browser signs in
/// with HTTP Basic (any user name, an API token as the password) and scripts may send the bearer token,
/// both checked by ``BearerTokenMiddleware`` like every `/api/v1` route.
struct StatusPage: Sendable {
    let store: SQLStore
    let domains: DomainService?
    let now: @Sendable () -> Date

    func addRoutes(to routes: APIRouteTable) {
        routes.on(.get, "/") { _, _ in try await render() }
    }

    /// Users per status and groups, per domain.
    struct DomainCounts {
        var usersByStatus: [String: Int] = [:]
        var groups = 0
    }

    func render() async throws -> Response {
        let portal = try await store.setting(.portalName) ?? "Pier"
        let views = try await domains?.list() ?? []
        let counts = try await store.database.read { db in
            var counts: [String: DomainCounts] = [:]
            for row in try db.fetchAll("""
                SELECT directory_id, status, count(*) AS n FROM users WHERE directory_id IS NOT NULL GROUP BY directory_id, status
                """) {
                counts[try row.decode("directory_id"), default: DomainCounts()].usersByStatus[try row.decode("status")] = try row.decode("n")
            }
            for row in try db.fetchAll("SELECT directory_id, count(*) AS n FROM groups GROUP BY directory_id") {
                counts[try row.decode("directory_id"), default: DomainCounts()].groups = try row.decode("n")
            }
            return counts
        }

        var body = """
            <h1>\(HTML.escape(portal))</h1>
            <p class="meta">Pier \(HTML.escape(PierVersion.current)) · read-only status · \(HTML.escape(Self.time(now())))</p>
            <p>The web console is not built yet. Manage Pier with the <code>pier</code> command line or the REST API
            (<a href="/openapi.json">OpenAPI document</a>); this page shows what they have done.</p>
            <h2>Okta domains</h2>

            """
        if views.isEmpty {
            body += "<p>No Okta domain is configured yet: add one with <code>pier domains add</code>.</p>\n"
        } else {
            body += """
                <table>
                <thead><tr><th>Domain</th><th>Schedule</th><th>Users</th><th>Groups</th><th>Latest run</th><th>Changes</th></tr></thead>
                <tbody>

                """
            for view in views {
                body += row(view, counts[view.record.id.rawValue] ?? DomainCounts())
            }
            body += "</tbody>\n</table>\n"
        }
        let page = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(portal)) · Pier status</title>
            <style>
            body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d232a; }
            table { border-collapse: collapse; width: 100%; }
            th, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid #d8dde3; }
            th { font-weight: 600; background: #f3f5f7; }
            .meta, .muted { color: #5b6672; }
            .state-succeeded { color: #17692e; } .state-failed, .state-interrupted { color: #a4161a; }
            .state-awaiting_approval { color: #8a5a00; }
            code { background: #f3f5f7; padding: 0 .25rem; border-radius: 3px; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
        return Response(
            status: .ok,
            headers: [
                "Content-Type": "text/html; charset=utf-8",
                "Cache-Control": "no-store",
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            ],
            body: Data(page.utf8))
    }

    func row(_ view: DomainView, _ counts: DomainCounts) -> String {
        let record = view.record
        var domain = "<strong>\(HTML.escape(record.orgHost))</strong>"
        if record.domain.lowercased() != record.orgHost.lowercased() { domain += "<br><span class=\"muted\">entered as \(HTML.escape(record.domain))</span>" }
        domain += "<br><span class=\"muted\">org \(HTML.escape(record.orgID))</span>"
        let statuses = ["active", "suspended", "deactivated"].compactMap { status in
            counts.usersByStatus[status].map { "\($0) \(status)" }
        }
        let total = counts.usersByStatus.values.reduce(0, +)
        let users = "\(total)" + (statuses.isEmpty ? "" : "<br><span class=\"muted\">\(HTML.escape(statuses.joined(separator: ", ")))</span>")
        var run = "<span class=\"muted\">none yet</span>"
        var changes = ""
        if let last = view.lastRun {
            run = "<span class=\"state-\(HTML.escape(last.state.rawValue))\">\(HTML.escape(last.state.rawValue.replacingOccurrences(of: "_", with: " ")))</span>"
                + " · \(HTML.escape(last.kind.rawValue)), \(HTML.escape(last.trigger.rawValue))"
            if let started = last.startedAt { run += "<br><span class=\"muted\">started \(HTML.escape(Self.time(started)))</span>" }
            if let finished = last.finishedAt { run += "<br><span class=\"muted\">finished \(HTML.escape(Self.time(finished)))</span>" }
            if last.state == .running, let progress = last.progress {
                run += "<br>\(HTML.escape(progress.phase)): \(progress.pages) pages, \(progress.objects) objects"
            }
            if let error = last.error { run += "<br>\(HTML.escape(error.message))" }
            changes = Self.changes(last.counts)
        }
        return "<tr><td>\(domain)</td><td>\(HTML.escape(Self.schedule(record.schedule)))</td><td>\(users)</td>"
            + "<td>\(counts.groups)</td><td>\(run)</td><td>\(changes)</td></tr>\n"
    }

    static func changes(_ counts: SyncCounts) -> String {
        let users = counts.users
        var lines = ["users: \(users.created) created, \(users.updated) updated, \(users.deactivated) deactivated, \(users.removed) removed"]
        let skipped = users.skipped.values.reduce(0, +)
        if skipped > 0 {
            lines.append("skipped: " + users.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.replacingOccurrences(of: "_", with: " "))" }
                .joined(separator: ", "))
        }
        lines.append("groups: \(counts.groups.created) created, \(counts.groups.updated) updated, \(counts.groups.removed) removed")
        lines.append("memberships: \(counts.memberships.added) added, \(counts.memberships.removed) removed")
        return lines.map(HTML.escape).joined(separator: "<br>")
    }

    static func schedule(_ schedule: SyncSchedule) -> String {
        switch schedule.frequency {
        case .manual: "manual only"
        case .hourly(let every): every == 1 ? "every hour" : "every \(every) hours"
        case .daily(let time): "daily at \(time.description)"
        case .weekly(let weekday, let time): "weekly, \(weekday.rawValue) at \(time.description)"
        }
    }

    /// UTC, to the second (the portal's time zone is for schedules; one zone on the page avoids doubt).
    static func time(_ date: Date) -> String {
        String(Timestamp.format(date).prefix(19)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}

/// Escaping for text and attribute values in HTML.
enum HTML {
    /// `&`, `<`, `>`, `"` and `'` as character references: safe in element content and in quoted attributes.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
