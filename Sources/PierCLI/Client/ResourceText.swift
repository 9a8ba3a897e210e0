import Foundation

/// How the client commands show the API's resources (DESIGN.md §5) to a person: table rows for lists,
/// `Label: value` lines for one object. `--output json` bypasses all of this.
enum ResourceText {
    // MARK: - Values

    /// `2025-01-31T08:00:00.000Z` → `2025-01-31 08:00:00Z`; `-` when absent.
    static func time(_ value: JSON?) -> String {
        guard let text = value?.string, text.count >= 19 else { return value.cellText }
        let seconds = text.prefix(19).replacingOccurrences(of: "T", with: " ")
        return text.hasSuffix("Z") ? seconds + "Z" : seconds
    }

    /// `manual`, `hourly`, `every 4 h`, `daily 03:00`, `weekly mon 03:00`.
    static func schedule(_ value: JSON?) -> String {
        guard let schedule = value, let frequency = schedule["frequency"]?.string else { return value.cellText }
        switch frequency {
        case "hourly":
            let every = schedule["everyHours"]?.int ?? 1
            return every == 1 ? "hourly" : "every \(every) h"
        case "daily":
            return "daily \(schedule["time"].cellText)"
        case "weekly":
            return "weekly \(schedule["weekday"].cellText) \(schedule["time"].cellText)"
        default:
            return frequency
        }
    }

    /// `PT24H` → `24h`, `PT1H30M` → `1h30m`: an ISO 8601 duration as people write it.
    static func duration(_ value: JSON?) -> String? {
        guard let text = value?.string else { return nil }
        return text.hasPrefix("PT") ? String(text.dropFirst(2)).lowercased() : text
    }

    /// `on`, `off`, or `on (blocked)` when the server says self-enrollment cannot work yet.
    static func selfEnroll(_ domain: JSON) -> String {
        guard domain["selfEnroll"]?.bool == true else { return "off" }
        return domain["selfEnrollBlockedReason"]?.string == nil ? "on" : "on (blocked)"
    }

    /// `users +12 ~3 -1  groups +3 ~0 -0  members +40 -2`: created (+), updated (~), and deactivated or
    /// removed (-) users; the same for groups; memberships added and removed.
    static func counts(_ run: JSON) -> String {
        let counts = run["counts"]
        func number(_ section: String, _ key: String) -> Int { counts?[section]?[key]?.int ?? 0 }
        let users = "users +\(number("users", "created")) ~\(number("users", "updated")) -\(number("users", "deactivated") + number("users", "removed"))"
        let groups = "groups +\(number("groups", "created")) ~\(number("groups", "updated")) -\(number("groups", "removed"))"
        let members = "members +\(number("memberships", "added")) -\(number("memberships", "removed"))"
        return [users, groups, members].joined(separator: "  ")
    }

    /// `users`, `12 pages`, `2400 objects` of a run's live progress, as one phrase.
    static func progress(_ run: JSON) -> String {
        let progress = run["progress"]
        let phase = (progress?["phase"]?.string ?? "starting").replacingOccurrences(of: "_", with: " ")
        return "\(phase), \(progress?["pages"]?.int ?? 0) pages, \(progress?["objects"]?.int ?? 0) objects"
    }

    static func fullName(_ user: JSON) -> String {
        let name = [user["firstName"]?.string, user["lastName"]?.string].compactMap { $0 }.joined(separator: " ")
        return name.isEmpty ? "-" : name
    }

    // MARK: - Tables

    static func domainTable(_ domains: [JSON]) -> TextTable {
        var table = TextTable("ID", "DOMAIN", "ORG HOST", "SELF-ENROLL", "SCHEDULE", "LAST RUN")
        for domain in domains {
            table.add(
                domain["id"].cellText, domain["domain"].cellText, domain["orgHost"].cellText, selfEnroll(domain),
                schedule(domain["schedule"]), domain["lastRun"]?["state"].cellText ?? "-")
        }
        return table
    }

    static func runTable(_ runs: [JSON]) -> TextTable {
        var table = TextTable("ID", "TRIGGER", "KIND", "STATE", "STARTED", "COUNTS")
        for run in runs {
            table.add(
                run["id"].cellText, run["trigger"].cellText, run["kind"].cellText, run["state"].cellText,
                time(run["startedAt"]?.nonNull ?? run["queuedAt"]), counts(run))
        }
        return table
    }

    /// - Parameter domainNames: Domain id → host, to show a name instead of an id where known.
    static func userTable(_ users: [JSON], domainNames: [String: String]) -> TextTable {
        var table = TextTable("ID", "LOGIN", "NAME", "STATUS", "DOMAIN")
        for user in users {
            table.add(user["id"].cellText, user["login"].cellText, fullName(user), user["status"].cellText, domain(of: user, domainNames))
        }
        return table
    }

    static func groupTable(_ groups: [JSON]) -> TextTable {
        var table = TextTable("ID", "NAME", "TYPE", "MEMBERS")
        for group in groups {
            table.add(group["id"].cellText, group["name"].cellText, group["type"].cellText, group["memberCount"].cellText)
        }
        return table
    }

    static func domain(of object: JSON, _ names: [String: String]) -> String {
        guard let id = object["domainId"]?.string else { return "local" }
        return names[id] ?? id
    }

    // MARK: - One object

    static func domainDetails(_ domain: JSON) -> [String] {
        var list = DetailList()
        list.add("ID", domain["id"].cellText)
        list.add("Domain", domain["domain"].cellText)
        list.add("Org host", domain["orgHost"].cellText)
        list.add("Org id", domain["orgId"].cellText)
        list.add("Note", domain["note"]?.string)
        if let reason = domain["selfEnrollBlockedReason"]?.string, domain["selfEnroll"]?.bool == true {
            list.add("Self-enroll", "on (blocked: \(reason))")
        } else {
            list.add("Self-enroll", selfEnroll(domain))
        }
        var scheduleText = schedule(domain["schedule"])
        if let fullEvery = duration(domain["schedule"]?["fullEvery"]) { scheduleText += " (full sync at least every \(fullEvery))" }
        list.add("Schedule", scheduleText)
        list.add("API token", domain["apiTokenHint"]?.string.map { "…" + $0 })
        list.add("Endpoint", domain["endpoint"]?.string)
        list.add("Created", domain["createdAt"]?.string.map { time(.string($0)) })
        if let run = domain["lastRun"], run != .null {
            list.add("Last run", "\(run["state"].cellText) (\(run["trigger"].cellText), \(run["kind"].cellText)) \(run["id"].cellText)")
        } else {
            list.add("Last run", "none")
        }
        return list.lines
    }

    /// Shows at most this many per-object outcomes of a run; JSON output has them all.
    static let objectLimit = 20

    static func runDetails(_ run: JSON) -> [String] {
        var list = DetailList()
        list.add("ID", run["id"].cellText)
        list.add("Domain", run["domainId"].cellText)
        list.add("Trigger", run["trigger"].cellText)
        list.add("Kind", run["kind"].cellText)
        list.add("State", run["state"].cellText)
        list.add("Queued", time(run["queuedAt"]))
        list.add("Started", time(run["startedAt"]))
        list.add("Finished", time(run["finishedAt"]))
        if ["queued", "running"].contains(run["state"]?.string ?? "") { list.add("Progress", progress(run)) }
        let counts = run["counts"]
        func number(_ section: String, _ key: String) -> Int { counts?[section]?[key]?.int ?? 0 }
        var users = "\(number("users", "created")) created, \(number("users", "updated")) updated, "
            + "\(number("users", "deactivated")) deactivated, \(number("users", "removed")) removed"
        if let skipped = counts?["users"]?["skipped"]?.object, !skipped.isEmpty {
            users += "; skipped: " + skipped.keys.sorted().map { "\($0) \(skipped[$0]?.int ?? 0)" }.joined(separator: ", ")
        }
        list.add("Users", users)
        list.add("Groups", "\(number("groups", "created")) created, \(number("groups", "updated")) updated, \(number("groups", "removed")) removed")
        list.add("Memberships", "\(number("memberships", "added")) added, \(number("memberships", "removed")) removed")
        if let held = run["held"], held != .null {
            list.add("Held for approval", "\(held["users"]?.int ?? 0) users, \(held["groups"]?.int ?? 0) groups")
        }
        list.add("Okta requests", run["oktaRequests"].cellText)
        if let wait = run["rateLimitWaitSeconds"]?.double { list.add("Rate-limit wait", "\(formatSeconds(wait)) s") }
        if let error = run["error"], error != .null {
            list.add("Error", "\(error["code"].cellText): \(error["message"].cellText)")
        }
        var lines = list.lines
        if let objects = run["objects"]?.array, !objects.isEmpty {
            lines += ["", "Objects whose state changed (\(objects.count)):"]
            var table = TextTable("KIND", "OKTA ID", "PIER ID", "OUTCOME", "REASON")
            for object in objects.prefix(objectLimit) {
                table.add(object["kind"].cellText, object["oktaId"].cellText, object["pierId"].cellText, object["outcome"].cellText, object["reason"].cellText)
            }
            lines += table.lines.map { "  " + $0 }
            if objects.count > objectLimit {
                lines.append("  … and \(objects.count - objectLimit) more (--output json lists them all)")
            }
        }
        return lines
    }

    static func userDetails(_ user: JSON, domainNames: [String: String]) -> [String] {
        var list = DetailList()
        list.add("ID", user["id"].cellText)
        list.add("Login", user["login"].cellText)
        list.add("Name", fullName(user))
        list.add("E-mail", user["email"].cellText)
        var status = user["status"].cellText
        if let okta = user["oktaStatus"]?.string { status += " (Okta: \(okta))" }
        list.add("Status", status)
        list.add("Department", user["department"]?.string)
        list.add("Title", user["title"]?.string)
        list.add("Domain", domain(of: user, domainNames))
        list.add("Okta id", user["oktaId"]?.string)
        var lines = list.lines
        let groups = user["groups"]?.array ?? []
        lines += ["", "Groups (\(groups.count)):"]
        if !groups.isEmpty { lines += groupTable(groups).lines.map { "  " + $0 } }
        return lines
    }

    static func groupDetails(_ group: JSON, domainNames: [String: String]) -> [String] {
        var list = DetailList()
        list.add("ID", group["id"].cellText)
        list.add("Name", group["name"].cellText)
        list.add("Description", group["description"]?.string)
        list.add("Type", group["type"].cellText)
        list.add("Members", group["memberCount"].cellText)
        list.add("Domain", domain(of: group, domainNames))
        list.add("Okta id", group["oktaId"]?.string)
        return list.lines
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
