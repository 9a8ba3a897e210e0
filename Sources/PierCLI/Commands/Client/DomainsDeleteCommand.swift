import Foundation

/// `pier domains delete`: shows what deleting the domain removes and deletes it only with `--yes`.
struct DomainsDeleteCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        path: ["domains", "delete"],
        abstract: "Delete an Okta domain with its users and groups (shows what goes; needs --yes)",
        discussion: """
            Prints the deletion preview (users, groups, memberships and devices that go). Without --yes \
            nothing is deleted and the exit status is 1. When the domain's users own devices, --devices \
            says what happens to them: disenroll, or reassign to the user given with --reassign-to.
            """,
        options: [
            .value("id", "ID", help: "The domain id (see 'pier domains list')", required: true, environment: .none),
            .flag("yes", help: "Delete for real", environment: .none),
            .value("devices", "CHOICE", help: "When users of the domain own devices: disenroll or reassign", environment: .none),
            .value("reassign-to", "USER_ID", help: "With --devices reassign: the user who receives the devices", environment: .none),
        ] + ClientSettings.options
    )

    let settings: ClientSettings
    let id: String
    let confirmed: Bool
    let devices: String?
    let reassignTo: String?

    init(options: ParsedOptions) throws {
        id = options.value("id")!
        confirmed = options.flag("yes")
        devices = options.value("devices")
        reassignTo = options.value("reassign-to")
        if let devices, !["disenroll", "reassign"].contains(devices) {
            throw UsageError("--devices must be disenroll or reassign; got '\(devices)'")
        }
        if devices == "reassign" && reassignTo == nil { throw UsageError("--devices reassign needs --reassign-to USER_ID") }
        if reassignTo != nil && devices != "reassign" { throw UsageError("--reassign-to goes with --devices reassign") }
        settings = try ClientSettings(options)
    }

    func run(api: APIClient, context: CLIContext) async throws -> Int32 {
        let path = "/api/v1/domains/\(APIClient.segment(id))"
        let preview = try await api.get(path + "/deletion-preview")
        let orgHost = preview["orgHost"].cellText
        let devicesToDecide = preview["devicesNeedDecision"]?.bool == true
        guard confirmed, !(devicesToDecide && devices == nil) else {
            switch settings.output {
            case .json: context.printJSON(preview)
            case .table: context.print("Deleting \(orgHost) (domain \(id)) removes \(Self.summary(preview)).")
            }
            if devicesToDecide && devices == nil {
                context.printError("Error: \(preview["devices"].cellText) device(s) belong to users of this domain; "
                    + "add --devices disenroll, or --devices reassign --reassign-to USER_ID.")
            } else {
                context.printError("Nothing was deleted; run again with --yes to delete \(orgHost).")
            }
            return ExitStatus.failure
        }
        // The server wants the org host as confirmation (DESIGN.md §1.3); it comes from the preview.
        let removed = try await api.call(
            .delete, path, query: [("confirm", preview["confirm"]?.string ?? orgHost), ("devices", devices), ("reassignTo", reassignTo)]
        ).body
        switch settings.output {
        case .json: context.printJSON(removed)
        case .table: context.print("Deleted \(orgHost) (domain \(id)): removed \(Self.summary(removed)).")
        }
        return ExitStatus.success
    }

    /// `467 users, 30 groups, 1639 memberships and 0 devices`.
    static func summary(_ preview: JSON) -> String {
        "\(preview["users"].cellText) users, \(preview["groups"].cellText) groups, "
            + "\(preview["memberships"].cellText) memberships and \(preview["devices"].cellText) devices"
    }
}
