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
            let words = arguments.prefix { !$0.hasPrefix("-") }.joined(separator: " ")
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
