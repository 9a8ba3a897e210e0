import Foundation

/// One `pier` subcommand: its declared options (from which both the parser and the help screen are
/// built, so help cannot drift from what is accepted) and what it does.
///
/// The pipeline is the one of swift-argument-parser: split → select the subcommand → parse →
/// validate (in `init`) → run. A ``UsageError`` thrown by `init` exits 64 with the usage line;
/// any other error exits 1 with `Error: …`.
protocol Command: Sendable {
    static var configuration: CommandConfiguration { get }

    /// Builds the command from parsed options; throws ``UsageError`` for invalid combinations.
    init(options: ParsedOptions) throws

    /// Runs the command and returns its exit status.
    func run(context: CLIContext) async throws -> Int32
}

/// What a command declares about itself for parsing and help.
struct CommandConfiguration: Sendable {
    /// The words after `pier`, e.g. `["admin", "token", "create"]`.
    var path: [String]
    var abstract: String
    var discussion: String?
    var options: [OptionSpec]
    /// Hidden commands (benchmark helpers) are runnable but not listed in `pier --help`.
    var isHidden: Bool = false
    /// Options that are deliberately not accepted, with the message that says what to do instead
    /// (a secret given as an argument: `--api-token`).
    var refusedOptions: [String: String] = [:]

    var name: String { path.joined(separator: " ") }

    var usage: String {
        let required = options.filter(\.isRequired).map { "\($0.flag) \($0.valueName)" }
        let optional = options.isEmpty ? [] : ["[options]"]
        return (["pier", name] + required + optional).joined(separator: " ")
    }
}

/// One `--kebab-case` option, with its environment variable (DESIGN.md §5: `PIER_` + the flag in
/// upper case with `_`).
struct OptionSpec: Sendable {
    enum Kind: Sendable { case value, flag }

    var name: String
    var kind: Kind
    var valueName: String
    var help: String
    var defaultValue: String?
    var isRequired: Bool
    /// The environment variable that supplies the value when the flag is absent; nil for none.
    var environmentVariable: String?

    var flag: String { "--\(name)" }

    static func value(
        _ name: String, _ valueName: String, help: String, default defaultValue: String? = nil,
        required: Bool = false, environment: EnvironmentName = .derived
    ) -> OptionSpec {
        OptionSpec(
            name: name, kind: .value, valueName: valueName, help: help, defaultValue: defaultValue,
            isRequired: required, environmentVariable: environment.resolve(for: name)
        )
    }

    static func flag(_ name: String, help: String, environment: EnvironmentName = .derived) -> OptionSpec {
        OptionSpec(
            name: name, kind: .flag, valueName: "", help: help, defaultValue: nil, isRequired: false,
            environmentVariable: environment.resolve(for: name)
        )
    }

    enum EnvironmentName: Sendable {
        case derived, none, custom(String)

        func resolve(for name: String) -> String? {
            switch self {
            case .derived: "PIER_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
            case .none: nil
            case .custom(let variable): variable
            }
        }
    }
}

/// A mistake in how the command was called: exits 64 and prints the usage line.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
    init(_ message: String) { self.message = message }
}

/// A failure already reported to the user; exits with `code` and prints nothing more.
struct ExitCode: Error {
    var code: Int32
    init(_ code: Int32) { self.code = code }
}

/// Exit statuses, from sysexits(3) where one fits.
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 64
}
