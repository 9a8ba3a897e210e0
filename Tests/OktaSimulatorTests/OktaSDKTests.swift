import Foundation
import OktaSimulator
import Testing

/// Okta's official Python SDK against the simulator (issue 3, fidelity check b).
@Suite struct OktaSDKTests {
    static var python: String {
        if let configured = ProcessInfo.processInfo.environment["PIER_TEST_PYTHON"], !configured.isEmpty { return configured }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.appendingPathComponent(".venv/bin/python").path
    }

    @Test func officialPythonSDKListsReadsCreatesAndUpdates() async throws {
        // A missing interpreter fails the test; it never skips.
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "no Python at \(Self.python); set PIER_TEST_PYTHON")
        let sim = try SimulatorHarness(users: 130, groups: 12)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("SDK/sdk_check.py").path
        // The org before the script changes it.
        let statuses = sim.server.userStatuses
        let groupIDs = sim.server.groupIDs
        let memberCounts = groupIDs.map { sim.server.memberIDs(of: $0).count }
        let (status, output, errors) = try await Self.run(script, arguments: [sim.base, SimulatorHarness.token])
        try #require(status == 0, "sdk_check.py failed:\n\(output)\n\(errors)")
        let lines = output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        func line(_ kind: String) -> [String] { lines.first { $0.first == kind } ?? [] }

        // Every non-DEPROVISIONED user, 50 a page, ids equal to the simulator's.
        let visible = statuses.filter { $0.value != "DEPROVISIONED" }.keys.sorted()
        #expect(line("users") == ["users", String(visible.count), "pages", String((visible.count + 49) / 50)], "\(output)")
        #expect(lines.filter { $0.first == "uid" }.map { $0[1] } == visible)

        // Every group, 5 a page, in the simulator's order.
        #expect(line("groups") == ["groups", "12", "pages", "3"], "\(output)")
        #expect(lines.filter { $0.first == "gid" }.map { $0[1] } == groupIDs)
        let types = sim.server.groupTypes
        for entry in lines where entry.first == "gid" { #expect(entry.count == 3 && types[entry[1]] == entry[2], "\(entry)") }

        // Members of every group, 20 a page (DEPROVISIONED members are listed by default).
        for (id, count) in zip(groupIDs, memberCounts) {
            let pages = max(1, (count + 19) / 20)
            #expect(lines.contains(["members", id, String(count), "pages", String(pages)]), "members of \(id): \(output)")
        }

        #expect(line("get") == ["get", visible[0], sim.server.userLogin(visible[0])], "\(output)")
        let created = line("created")
        #expect(created.count == 3 && created[2] == "STAGED", "\(output)")
        #expect(created.count == 3 && statuses[created[1]] == nil && sim.server.userStatuses[created[1]] == "STAGED")
        #expect(line("updated") == ["updated", created.count == 3 ? created[1] : "?", "Pilot"], "\(output)")
        #expect(line("error") == ["error", "404", "OktaAPIError", "E0000007", "True"], "\(output)")

        // An OIDC app created through the SDK, with a group assigned.
        let app = line("app")
        #expect(app.count == 5 && app[2] == "ACTIVE" && app[3] == app[1] && Int(app[4]) ?? 0 >= 14, "\(output)")
        #expect(line("assigned") == ["assigned", app.count == 5 ? app[1] : "?", groupIDs[1]], "\(output)")
        #expect(line("assignments") == ["assignments", "1"], "\(output)")

        // The other reads, each through the SDK's strict models (a type or enum mismatch would be an error).
        let userGroups = groupIDs.filter { sim.server.memberIDs(of: $0).contains(visible[0]) }.sorted()
        #expect(line("usergroups") == ["usergroups"] + userGroups, "\(output)")
        let group = line("group")
        #expect(group.count == 5 && group[1] == groupIDs[1] && group[2].hasSuffix("GroupProfile") && group[3...] == ["True", "True"], "\(output)")
        #expect(line("getapp") == ["getapp", app.count == 5 ? app[1] : "?", "OpenIdConnectApplication", "True"], "\(output)")
        let appUsers = sim.server.memberIDs(of: groupIDs[1]).filter { statuses[$0] != "DEPROVISIONED" }.count
        #expect(appUsers > 7)
        #expect(line("appusers") == ["appusers", String(appUsers), "pages", String((appUsers + 6) / 7), "scopes", "GROUP"], "\(output)")
        #expect(line("logs") == [
            "logs", "user.lifecycle.create", "user.account.update_profile", "application.lifecycle.create",
            "application.lifecycle.activate", "group.application_assignment.add",
        ], "\(output)")
        await sim.stop()
    }

    /// Runs the SDK script with the test Python; returns exit status, stdout and stderr.
    ///
    /// The child's output goes to files and the wait happens on a dedicated thread: blocking a thread of
    /// Swift's cooperative pool for the script's seconds would starve other suites' async servers.
    static func run(_ script: String, arguments: [String]) async throws -> (Int32, String, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pier-sdk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        process.environment = ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK": "true", "PATH": "/usr/bin:/bin", "HOME": directory.path]
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    try process.run()
                    process.waitUntilExit()
                    continuation.resume(returning: process.terminationStatus)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
        let output = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        let errors = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        return (status, output, errors)
    }
}
