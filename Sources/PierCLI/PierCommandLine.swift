import Foundation
import PierCore

/// The `pier` executable: selects the subcommand, parses its options, runs it, and turns errors into
/// exit statuses (0 success, 1 failure, 64 usage).
public enum PierCommandLine {
    /// Every subcommand, in the order `pier --help` lists them.
    static let commands: [any Command.Type] = [
        ServeCommand.self,
        DemoCommand.self,
        MigrateCommand.self,
        OktaSimCommand.self,
        AdminTokenCreateCommand.self, AdminTokenListCommand.self, AdminTokenRevokeCommand.self,
        // Client commands: they talk to a running server's REST API.
        DomainsListCommand.self, DomainsAddCommand.self, DomainsShowCommand.self, DomainsUpdateCommand.self, DomainsDeleteCommand.self,
        SyncNowCommand.self, SyncRunsCommand.self, SyncShowCommand.self, SyncApproveCommand.self, SyncDiscardCommand.self,
        UsersListCommand.self, UsersShowCommand.self,
        GroupsListCommand.self, GroupsShowCommand.self,
        BenchHTTPServerCommand.self,
    ]

    /// Runs `pier` with `arguments` (without the program name) and returns the exit status.
    public static func main(arguments: [String], context: CLIContext) async -> Int32 {
        if arguments.isEmpty || arguments == ["help"] || arguments.first == "--help" || arguments.first == "-h" {
            context.print(overview)
            return arguments.isEmpty ? ExitStatus.usage : ExitStatus.success
        }
        if arguments.first == "--version" || arguments.first == "version" {
            context.print("pier \(PierVersion.current)")
            return ExitStatus.success
        }

        guard let (commandType, rest) = select(arguments) else {
            let leadingWords = Array(arguments.prefix { !$0.hasPrefix("-") })
            // `pier domains`, `pier admin token` or `pier domains frobnicate`: a group of commands, not
            // one; say which subcommands it has.
            if let length = (1...max(1, leadingWords.count)).reversed().first(where: { !subcommands(of: Array(leadingWords.prefix($0))).isEmpty }) {
                let groupWords = Array(leadingWords.prefix(length))
                let family = subcommands(of: groupWords)
                let group = groupWords.joined(separator: " ")
                if length == leadingWords.count && (arguments.contains("--help") || arguments.contains("-h")) {
                    context.print(groupHelp(group, family))
                    return ExitStatus.success
                }
                let verbs = family.map { $0.path.dropFirst(length).joined(separator: " ") }.joined(separator: ", ")
                if length == leadingWords.count {
                    context.printError("Error: 'pier \(group)' needs a subcommand: \(verbs)")
                } else {
                    context.printError("Error: 'pier \(group)' has no subcommand '\(leadingWords[length...].joined(separator: " "))'; it has: \(verbs)")
                }
                context.printError("Usage: pier \(group) <subcommand> [options]   (see 'pier \(group) --help')")
                return ExitStatus.usage
            }
            let words = leadingWords.joined(separator: " ")
            context.printError("Error: unknown command '\(words.isEmpty ? arguments[0] : words)'")
            context.printError("Usage: pier <command> [options]   (see 'pier --help')")
            return ExitStatus.usage
        }
        let configuration = commandType.configuration
        if rest.contains("--help") || rest.contains("-h") {
            context.print(help(for: configuration))
            return ExitStatus.success
        }
        do {
            let options = try ParsedOptions(arguments: rest, environment: context.environment, command: configuration)
            let command = try commandType.init(options: options)
            return try await command.run(context: context)
        } catch let error as UsageError {
            context.printError("Error: \(error.message)")
            context.printError("Usage: \(configuration.usage)")
            context.printError("  See 'pier \(configuration.name) --help'.")
            return ExitStatus.usage
        } catch let exit as ExitCode {
            return exit.code
        } catch {
            context.printError("Error: \(error)")
            return ExitStatus.failure
        }
    }

    /// The longest command path that prefixes `arguments`.
    private static func select(_ arguments: [String]) -> (any Command.Type, [String])? {
        commands
            .filter { arguments.starts(with: $0.configuration.path) }
            .max { $0.configuration.path.count < $1.configuration.path.count }
            .map { ($0, Array(arguments.dropFirst($0.configuration.path.count))) }
    }

    /// The visible commands under `words` (`["domains"]` → list, add, …), when `words` names a group.
    private static func subcommands(of words: [String]) -> [CommandConfiguration] {
        guard !words.isEmpty else { return [] }
        return commands.map { $0.configuration }.filter { !$0.isHidden && $0.path.count > words.count && $0.path.starts(with: words) }
    }

    static func groupHelp(_ group: String, _ family: [CommandConfiguration]) -> String {
        var lines = ["Usage: pier \(group) <subcommand> [options]", "", "Subcommands:"]
        let width = family.map(\.name.count).max() ?? 0
        for configuration in family {
            lines.append("  " + configuration.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + configuration.abstract)
        }
        lines += ["", "See 'pier \(group) <subcommand> --help' for a subcommand's options."]
        return lines.joined(separator: "\n")
    }

    static var overview: String {
        var lines = [
            "pier \(PierVersion.current) — device management with Okta directory integration",
            "",
            "Usage: pier <command> [options]",
            "",
            "Commands:",
        ]
        let visible = commands.map { $0.configuration }.filter { !$0.isHidden }
        let width = visible.map(\.name.count).max() ?? 0
        for configuration in visible {
            lines.append("  " + configuration.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + configuration.abstract)
        }
        lines += [
            "",
            "The client commands (domains, sync, users, groups) talk to a running server's API: give",
            "--server URL and an API token, or set PIER_SERVER and PIER_TOKEN.",
            "",
            "Options:",
            "  --help       Show help for pier or for a command (pier <command> --help)",
            "  --version    Show the version",
        ]
        return lines.joined(separator: "\n")
    }

    static func help(for configuration: CommandConfiguration) -> String {
        var lines = ["Usage: \(configuration.usage)", "", configuration.abstract]
        if let discussion = configuration.discussion { lines += ["", discussion] }
        var rows = configuration.options.map { option in
            var text = option.help
            if let defaultValue = option.defaultValue { text += " (default: \(defaultValue))" }
            if let variable = option.environmentVariable { text += " [env: \(variable)]" }
            return (option.kind == .flag ? option.flag : "\(option.flag) \(option.valueName)", text)
        }
        rows.append(("--help", "Show this help"))
        let width = rows.map(\.0.count).max() ?? 0
        lines += ["", "Options:"]
        for (label, text) in rows {
            lines.append("  " + label.padding(toLength: width + 2, withPad: " ", startingAt: 0) + text)
        }
        return lines.joined(separator: "\n")
    }
}
