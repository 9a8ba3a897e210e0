/// Option values after parsing `--name value`, `--name=value` and `--flag`, with the environment as
/// fallback and declared defaults last.
struct ParsedOptions: Sendable {
    let command: CommandConfiguration
    /// The environment the options were read from, for values that only come from it (secrets).
    let environment: [String: String]
    private let values: [String: String]
    private let flags: Set<String>
    /// Where each value came from, for messages ("--listen" or "PIER_LISTEN").
    private let sources: [String: String]

    /// Parses `arguments` (the words after the command path) against the command's declared options.
    ///
    /// - Throws: ``UsageError`` naming the unknown option, the option missing its value, the
    ///   unexpected positional argument, or the missing required option.
    init(arguments: [String], environment: [String: String], command: CommandConfiguration) throws {
        self.command = command
        self.environment = environment
        var values: [String: String] = [:]
        var flags: Set<String> = []
        var sources: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw UsageError("unexpected argument '\(argument)'")
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let spec = command.options.first(where: { $0.name == name }) else {
                if let refusal = command.refusedOptions[name] { throw UsageError(refusal) }
                throw UsageError("unknown option '--\(name)'")
            }
            switch spec.kind {
            case .flag:
                if let inlineValue {
                    guard let enabled = Self.boolean(inlineValue) else {
                        throw UsageError("option '--\(name)' takes no value, or true/false; got '\(inlineValue)'")
                    }
                    if enabled { flags.insert(name) } else { flags.remove(name) }
                } else {
                    flags.insert(name)
                }
                sources[name] = "--\(name)"
            case .value:
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                        throw UsageError("option '--\(name)' needs a value (\(spec.valueName))")
                    }
                    value = arguments[index]
                    index += 1
                }
                values[name] = value
                sources[name] = "--\(name)"
            }
        }
        for spec in command.options {
            guard let variable = spec.environmentVariable, sources[spec.name] == nil,
                let fromEnvironment = environment[variable], !fromEnvironment.isEmpty
            else { continue }
            switch spec.kind {
            case .flag:
                guard let enabled = Self.boolean(fromEnvironment) else {
                    throw UsageError("\(variable) must be true or false; got '\(fromEnvironment)'")
                }
                if enabled { flags.insert(spec.name) }
            case .value:
                values[spec.name] = fromEnvironment
            }
            sources[spec.name] = variable
        }
        for spec in command.options where spec.kind == .value && values[spec.name] == nil {
            if let defaultValue = spec.defaultValue {
                values[spec.name] = defaultValue
            } else if spec.isRequired {
                let hint = spec.environmentVariable.map { " (or set \($0))" } ?? ""
                throw UsageError("missing required option '--\(spec.name) \(spec.valueName)'\(hint)")
            }
        }
        self.values = values
        self.flags = flags
        self.sources = sources
    }

    /// The value of a `.value` option, or nil when absent and without default.
    func value(_ name: String) -> String? {
        precondition(command.options.contains { $0.name == name && $0.kind == .value }, "undeclared option \(name)")
        return values[name]
    }

    /// Whether a `.flag` option was given (or enabled through its environment variable).
    func flag(_ name: String) -> Bool {
        precondition(command.options.contains { $0.name == name && $0.kind == .flag }, "undeclared flag \(name)")
        return flags.contains(name)
    }

    /// How the option was supplied, for error messages: `--listen`, `PIER_LISTEN` or `default`.
    func source(_ name: String) -> String {
        sources[name] ?? "default"
    }

    private static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }
}
