import Foundation

/// `pier domains update`: changes self-enroll, the schedule or the Okta API token. The domain itself
/// never changes (add a new one instead).
struct DomainsUpdateCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["domains", "update"],
        abstract: "Change an Okta domain's self-enroll, schedule or API token",
        discussion: """
            A new Okta API token is read only when asked for: from --api-token-file, from PIER_OKTA_TOKEN \
            with --api-token-env, or from standard input with --api-token-stdin. The server checks it against \
            the org before it replaces the old one. A new schedule keeps the domain's full-sync interval.
            """,
        options: [.value("id", "ID", help: "The domain id (see 'pier domains list')", required: true, environment: .none)]
            + DomainOptions.selfEnroll + DomainOptions.schedule + [
                .value("api-token-file", "PATH", help: "Replace the Okta API token with the one in this file (mode 0600)", environment: .none),
                .flag("api-token-env", help: "Replace the Okta API token with PIER_OKTA_TOKEN", environment: .none),
                .flag("api-token-stdin", help: "Replace the Okta API token with one read from standard input", environment: .none),
            ] + ClientSettings.options,
        refusedOptions: DomainOptions.refusedTokenOptions
    )

    /// Where a replacement token comes from.
    enum TokenSource: Sendable { case file(String), environment, standardInput }

    let settings: ClientSettings
    let id: String
    let selfEnroll: Bool?
    let schedule: [String: JSON]?
    let tokenSource: TokenSource?

    init(options: ParsedOptions) throws {
        id = options.value("id")!
        selfEnroll = try DomainOptions.selfEnrollChoice(options)
        schedule = try DomainOptions.scheduleDocument(options)
        var sources: [TokenSource] = []
        if let file = options.value("api-token-file") { sources.append(.file(file)) }
        if options.flag("api-token-env") { sources.append(.environment) }
        if options.flag("api-token-stdin") { sources.append(.standardInput) }
        guard sources.count <= 1 else {
            throw UsageError("give one of --api-token-file, --api-token-env, --api-token-stdin")
        }
        tokenSource = sources.first
        guard selfEnroll != nil || schedule != nil || tokenSource != nil else {
            throw UsageError("nothing to change: give --self-enroll or --no-self-enroll, --schedule …, or a new API token "
                + "(--api-token-file, --api-token-env, --api-token-stdin)")
        }
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let path = "/api/v1/domains/\(APIClient.segment(id))"
        var body: [String: JSON] = [:]
        if let selfEnroll { body["selfEnroll"] = .bool(selfEnroll) }
        if var schedule {
            // The flags cannot express fullEvery; keep the domain's own instead of resetting it.
            if let fullEvery = try await api.get(path)["schedule"]?["fullEvery"] { schedule["fullEvery"] = fullEvery }
            body["schedule"] = .object(schedule)
        }
        if let tokenSource {
            let token: String
            switch tokenSource {
            case .file(let path):
                token = try await DomainOptions.oktaToken(file: path, useEnvironment: false, useStandardInput: false, domain: id, context: context)
            case .environment:
                guard context.environment[DomainOptions.tokenVariable] != nil else {
                    throw UsageError("--api-token-env needs \(DomainOptions.tokenVariable) to be set")
                }
                token = try await DomainOptions.oktaToken(file: nil, useEnvironment: true, useStandardInput: false, domain: id, context: context)
            case .standardInput:
                token = try await DomainOptions.oktaToken(file: nil, useEnvironment: false, useStandardInput: true, domain: id, context: context)
            }
            body["apiToken"] = .string(token)
        }
        let updated = try await api.call(.patch, path, body: .object(body)).body
        switch settings.output {
        case .json: context.printJSON(updated)
        case .table: context.print(lines: ResourceText.domainDetails(updated))
        }
        return ExitStatus.success
    }
}
