import Foundation

/// `pier domains add`: connects an Okta org. The server checks the token against the org before it
/// stores anything and answers each failure with a specific code (DESIGN.md §1.1).
struct DomainsAddCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["domains", "add"],
        abstract: "Add an Okta domain (the server checks the API token, then starts the first sync)",
        discussion: """
            The Okta API token is read from --api-token-file, else from PIER_OKTA_TOKEN, else from standard \
            input (typed without echo at a terminal); it is never an argument. The server checks it against \
            the org before storing it encrypted, and shows only its last four characters afterwards.
            """,
        options: [
            .value("domain", "DOMAIN", help: "The Okta domain, e.g. acme.okta.com (or a custom domain)", required: true, environment: .none),
            .value("api-token-file", "PATH", help: "File holding the Okta API token (mode 0600)", environment: .none),
        ] + DomainOptions.selfEnroll + DomainOptions.schedule + [
            .value("endpoint", "URL", help: "Send Okta traffic here instead (a simulator; the server needs --allow-okta-endpoint-override)", environment: .none),
        ] + ClientSettings.options,
        refusedOptions: DomainOptions.refusedTokenOptions
    )

    let settings: ClientSettings
    let domain: String
    let tokenFile: String?
    let selfEnroll: Bool
    let schedule: [String: JSON]?
    let endpoint: String?

    init(options: ParsedOptions) throws {
        domain = options.value("domain")!.trimmingCharacters(in: .whitespaces)
        guard !domain.isEmpty else { throw UsageError("--domain must not be empty, e.g. acme.okta.com") }
        tokenFile = options.value("api-token-file")
        selfEnroll = try DomainOptions.selfEnrollChoice(options) ?? false
        schedule = try DomainOptions.scheduleDocument(options)
        endpoint = options.value("endpoint")
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let token = try await DomainOptions.oktaToken(
            file: tokenFile, useEnvironment: true, useStandardInput: true, domain: domain, context: context)
        var body: [String: JSON] = ["domain": .string(domain), "apiToken": .string(token), "selfEnroll": .bool(selfEnroll)]
        if let schedule { body["schedule"] = .object(schedule) }
        if let endpoint { body["endpoint"] = .string(endpoint) }
        let added = try await api.call(.post, "/api/v1/domains", body: .object(body)).body
        switch settings.output {
        case .json:
            context.printJSON(added)
        case .table:
            context.print(lines: ResourceText.domainDetails(added))
            let id = added["id"].cellText
            context.printError("The first sync has started; see it with `pier sync runs --domain \(id)`.")
        }
        return ExitStatus.success
    }
}
