public import Foundation
public import PierCore
public import PierCrypto
public import PierHTTP
public import PierLogging
public import PierOkta
public import PierStorage
public import PierSync

/// What an administrator enters to add an Okta domain (DESIGN.md §1.1, §5).
public struct NewDomain: Sendable {
    /// The domain as entered (normalised and identified before anything is stored).
    public var domain: String
    public var apiToken: OktaAPIToken
    public var selfEnroll: Bool
    public var schedule: SyncSchedule
    /// A development endpoint (the simulator); only with `--allow-okta-endpoint-override`.
    public var endpoint: String?

    public init(domain: String, apiToken: OktaAPIToken, selfEnroll: Bool = false, schedule: SyncSchedule = SyncSchedule(frequency: .manual), endpoint: String? = nil) {
        self.domain = domain
        self.apiToken = apiToken
        self.selfEnroll = selfEnroll
        self.schedule = schedule
        self.endpoint = endpoint
    }
}

/// What an update may change (never the domain itself).
public struct DomainChanges: Sendable {
    public var selfEnroll: Bool?
    public var schedule: SyncSchedule?
    /// A new token: checked against the org like on add before it replaces the old one.
    public var apiToken: OktaAPIToken?

    public init(selfEnroll: Bool? = nil, schedule: SyncSchedule? = nil, apiToken: OktaAPIToken? = nil) {
        self.selfEnroll = selfEnroll
        self.schedule = schedule
        self.apiToken = apiToken
    }
}

/// A domain as the API shows it: the stored record (its ciphertext is never encoded), why self-enroll
/// is unavailable, and the latest run.
public struct DomainView: Sendable {
    public var record: DirectoryRecord
    public var selfEnrollBlockedReason: String?
    public var lastRun: SyncRunRecord?
}

/// What deleting a domain removes (`GET /api/v1/domains/{id}/deletion-preview`).
public struct DomainDeletionPreview: Sendable, Encodable {
    public var domainId: String
    public var orgHost: String
    /// The value `confirm` must carry.
    public var confirm: String
    public var users: Int
    public var groups: Int
    public var memberships: Int
    public var devices: Int
    /// Whether `devices=disenroll|reassign` must be given.
    public var devicesNeedDecision: Bool
}

/// Okta domains: add, list, get, update, delete, and their syncs (DESIGN.md §1.1, §5, §7).
///
/// Every failure a client can act on is an ``APIError`` with a stable code; Okta's answers to the org
/// identification and token check map to one code per class (`okta_token_invalid`, …). The token is
/// sealed before it is stored, never returned (only ``DirectoryRecord/apiTokenHint``) and never logged.
public final class DomainService: Sendable {
    public typealias Engine = SyncEngine<ContinuousClock>

    static let identityAppPending = "Self-enrollment needs Pier's identity app in this Okta org, and this version of Pier does not create it yet."

    let store: SQLStore
    let factory: DomainSourceFactory
    let allowEndpointOverride: Bool
    let engine: Engine
    let timings: SyncTimings
    /// This instance's cap on concurrent syncs, shared by the runner and the scheduler.
    let capacity: SyncCapacity
    /// Sync Now and initial syncs as queued run rows (any instance runs them).
    let syncNowService: SyncNowService<ContinuousClock>
    /// Runs queued runs in the server's service group.
    public let runner: SyncRunnerService
    let now: @Sendable () -> Date
    let logger: Logger

    /// Creates the service and its runner (run ``runner`` and ``makeSchedulerService()`` in the service group).
    public init(
        store: SQLStore, key: SymmetricKey, httpClient: any HTTPClient, allowEndpointOverride: Bool, owner: String,
        timings: SyncTimings = .standard, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        let factory = DomainSourceFactory(key: key, httpClient: httpClient, logger: logger.withLabel("pier.okta"))
        let capacity = SyncCapacity()
        var engineConfiguration = Engine.Configuration(owner: owner)
        engineConfiguration.leaseTTL = timings.leaseTTL
        engineConfiguration.leaseRenewal = timings.leaseTTL / 3
        let engine = Engine(
            stores: store, clock: ContinuousClock(), now: now, logger: logger.withLabel("pier.sync"), configuration: engineConfiguration)
        var runnerConfiguration = QueuedSyncRunner<ContinuousClock>.Configuration()
        runnerConfiguration.pollInterval = timings.queuePoll
        let runner = QueuedSyncRunner(
            engine: engine, stores: store, makeSource: { try factory.makeSource($0) }, clock: ContinuousClock(), now: now,
            capacity: capacity, logger: logger.withLabel("pier.sync"), configuration: runnerConfiguration)
        var syncNowConfiguration = SyncNowService<ContinuousClock>.Configuration()
        syncNowConfiguration.pollInterval = timings.queuePoll
        self.store = store
        self.factory = factory
        self.allowEndpointOverride = allowEndpointOverride
        self.engine = engine
        self.timings = timings
        self.capacity = capacity
        self.now = now
        self.logger = logger.withLabel("pier.domains")
        self.runner = SyncRunnerService(runner: runner)
        self.syncNowService = SyncNowService(
            stores: store, clock: ContinuousClock(), now: now, configuration: syncNowConfiguration, onNewRun: { runner.wake() })
    }

    /// A scheduler over the same engine, sources and capacity (run it with the service group).
    func makeSchedulerService() -> SyncSchedulerService {
        let factory = self.factory
        var configuration = SyncScheduler<ContinuousClock>.Configuration()
        configuration.tickInterval = timings.schedulerTick
        configuration.maxJitter = timings.schedulerJitter
        configuration.maxConcurrentRuns = capacity.limit
        return SyncSchedulerService(scheduler: SyncScheduler(
            engine: engine, stores: store, makeSource: { try factory.makeSource($0) }, clock: ContinuousClock(), now: now,
            logger: logger.withLabel("pier.scheduler"), configuration: configuration, capacity: capacity))
    }

    // MARK: - Domains

    /// Adds a domain: normalise, identify the org, refuse a second entry for it, check the token, seal
    /// it, store, and start the first sync (trigger `initial`).
    public func add(_ input: NewDomain, actor: String) async throws -> DomainView {
        var problems = ValidationProblems()
        if input.apiToken.value.isEmpty { problems.add("apiToken", "is required") }
        if input.endpoint != nil && !allowEndpointOverride {
            problems.add("endpoint", "is accepted only when the server runs with --allow-okta-endpoint-override")
        }
        var parsed: OktaDomain?
        do {
            parsed = try OktaDomain(parsing: input.domain, allowDevelopmentEndpoint: allowEndpointOverride)
        } catch let error as OktaError {
            problems.add("domain", error.explanation)
        }
        var development: OktaDomain?
        if let endpoint = input.endpoint, allowEndpointOverride {
            do {
                let endpointDomain = try OktaDomain(parsing: endpoint, allowDevelopmentEndpoint: true)
                if endpointDomain.kind == .development { development = endpointDomain } else {
                    problems.add("endpoint", "must be a loopback address with a port, e.g. http://127.0.0.1:9090")
                }
            } catch let error as OktaError {
                problems.add("endpoint", error.explanation)
            }
        }
        try problems.check()
        let domain = parsed!
        if domain.kind == .development { development = development ?? domain }

        // Identify the org (no token) where the traffic will go.
        let target = development ?? domain
        let organization: OktaOrganization
        let identified: OktaEndpoint
        do {
            (organization, identified) = try await target.identify(httpClient: factory.httpClient, userAgent: DomainSourceFactory.userAgent)
        } catch let error as OktaError {
            throw Self.oktaFailure(error, field: "domain")
        }
        let orgHost: String
        if development != nil {
            // The simulator stands in for the org the administrator named.
            orgHost = domain.host
        } else {
            orgHost = (try? OktaDomain(parsing: organization.orgURL).host) ?? identified.host
        }
        if try await store.directories().contains(where: { $0.orgID == organization.id }) {
            throw Self.duplicate(orgHost)
        }
        try await checkToken(input.apiToken, endpoint: identified)

        let id = DirectoryID(UUID().uuidString.lowercased())
        let date = now()
        var notes = domain.notes.map(\.description)
        if development == nil, orgHost != domain.host {
            notes.append("\(domain.host) belongs to the org \(orgHost); Pier sends its traffic there.")
        }
        let record = DirectoryRecord(
            id: id, domain: input.domain.trimmingCharacters(in: .whitespacesAndNewlines), orgID: organization.id, orgHost: orgHost,
            endpoint: development?.endpoint.baseURL, note: notes.isEmpty ? nil : notes.joined(separator: " "),
            apiTokenCiphertext: try factory.seal(input.apiToken, id: id, orgHost: orgHost), apiTokenHint: input.apiToken.lastFour,
            selfEnroll: input.selfEnroll, schedule: input.schedule, createdAt: date, updatedAt: date)
        do {
            try await store.createDirectory(record)
        } catch StorageError.conflict {
            throw Self.duplicate(orgHost)
        }
        try await store.append(AuditEntry(
            at: date, actor: actor, action: "domain.create", target: id.rawValue,
            details: #"{"orgHost":"\#(orgHost)","orgId":"\#(organization.id)"}"#))
        logger.notice("Okta domain added", metadata: ["directory.id": id.rawValue, "okta.org_host": orgHost, "okta.org_id": organization.id])
        do {
            _ = try await syncNowService.request(id, kind: .full, trigger: .initial)
        } catch {
            // The domain is stored; its first sync then comes with the schedule or a Sync Now.
            logger.warning("the first sync could not be queued", metadata: ["directory.id": id.rawValue, "error.type": "\(type(of: error))"])
        }
        return try await view(record)
    }

    /// Every domain, oldest first.
    public func list() async throws -> [DomainView] {
        var views: [DomainView] = []
        for record in try await store.directories() { views.append(try await view(record)) }
        return views
    }

    /// A page of domains, oldest first (created time, then id), for the API's cursor paging.
    ///
    /// An installation has a handful of domains, so the page is cut from the full list here rather than
    /// in SQL; the order is computed in Swift so it does not depend on a database collation.
    public func list(after: ListingPosition?, limit: Int) async throws -> ListingPage<DomainView> {
        func position(_ record: DirectoryRecord) -> ListingPosition {
            ListingPosition(sortKey: Timestamp.format(record.createdAt), id: record.id.rawValue)
        }
        func precedes(_ lhs: ListingPosition, _ rhs: ListingPosition) -> Bool {
            (lhs.sortKey, lhs.id) < (rhs.sortKey, rhs.id)
        }
        let ordered = try await store.directories().sorted { precedes(position($0), position($1)) }
        let remaining = after.map { after in ordered.filter { precedes(after, position($0)) } } ?? ordered
        let page = remaining.prefix(max(1, limit))
        var views: [DomainView] = []
        for record in page { views.append(try await view(record)) }
        let next = remaining.count > page.count ? page.last.map(position) : nil
        return ListingPage(items: views, next: next)
    }

    /// One domain.
    public func get(_ id: DirectoryID) async throws -> DomainView {
        try await view(try await record(id))
    }

    /// Changes self-enroll, schedule or token (a new token is checked against the org first).
    public func update(_ id: DirectoryID, _ changes: DomainChanges, actor: String) async throws -> DomainView {
        let current = try await record(id)
        var update = DirectoryUpdate(selfEnroll: changes.selfEnroll, schedule: changes.schedule)
        if let token = changes.apiToken {
            guard !token.value.isEmpty else { throw APIError.validationFailed(["apiToken": "must not be empty"]) }
            try await checkToken(token, endpoint: try DomainSourceFactory.endpoint(of: current))
            update.apiTokenCiphertext = try factory.seal(token, id: id, orgHost: current.orgHost)
            update.apiTokenHint = token.lastFour
        }
        let updated: DirectoryRecord
        do {
            updated = try await store.updateDirectory(id, update, at: now())
        } catch StorageError.notFound {
            throw Self.notFound(id)
        }
        var changed: [String] = []
        if changes.selfEnroll != nil { changed.append("selfEnroll") }
        if changes.schedule != nil { changed.append("schedule") }
        if changes.apiToken != nil { changed.append("apiToken") }
        try await store.append(AuditEntry(
            at: now(), actor: actor, action: "domain.update", target: id.rawValue,
            details: #"{"changed":[\#(changed.map { "\"\($0)\"" }.joined(separator: ","))]}"#))
        return try await view(updated)
    }

    /// What deleting the domain removes.
    public func deletionPreview(_ id: DirectoryID) async throws -> DomainDeletionPreview {
        let record = try await record(id)
        let raw = id.rawValue
        let counts = try await store.database.read { db in
            (
                try db.fetchValue("SELECT count(*) FROM users WHERE directory_id = \(raw)", as: Int.self) ?? 0,
                try db.fetchValue("SELECT count(*) FROM groups WHERE directory_id = \(raw)", as: Int.self) ?? 0,
                try db.fetchValue(
                    "SELECT count(*) FROM group_members m JOIN groups g ON g.id = m.group_id WHERE g.directory_id = \(raw)",
                    as: Int.self) ?? 0,
                try db.fetchValue(
                    "SELECT count(*) FROM devices d JOIN users u ON u.id = d.owner_user_id WHERE u.directory_id = \(raw)",
                    as: Int.self) ?? 0
            )
        }
        return DomainDeletionPreview(
            domainId: raw, orgHost: record.orgHost, confirm: record.orgHost, users: counts.0, groups: counts.1,
            memberships: counts.2, devices: counts.3, devicesNeedDecision: counts.3 > 0)
    }

    /// Deletes the domain with its users, groups, memberships and runs in one transaction.
    ///
    /// - Parameters:
    ///   - confirm: Must equal the org host.
    ///   - devices: `disenroll` or `reassign`; needed only while the domain's users own devices.
    /// - Returns: What was removed.
    @discardableResult
    public func delete(_ id: DirectoryID, confirm: String?, devices: String?, reassignTo: String?, actor: String) async throws -> DomainDeletionPreview {
        let preview = try await deletionPreview(id)
        var problems = ValidationProblems()
        if confirm?.lowercased() != preview.orgHost.lowercased() {
            problems.add("confirm", "must be the domain's org host, \(preview.orgHost)")
        }
        if let devices, !["disenroll", "reassign"].contains(devices) {
            problems.add("devices", "must be disenroll or reassign")
        }
        if devices == "reassign", reassignTo?.isEmpty ?? true { problems.add("reassignTo", "is required with devices=reassign") }
        try problems.check()
        if preview.devicesNeedDecision {
            // Device handling arrives with enrollment; until then a domain with devices is not deleted.
            throw APIError(.conflict, code: "devices_need_decision",
                           message: "\(preview.devices) device(s) belong to users of this domain; choose devices=disenroll or devices=reassign.")
        }
        do {
            try await store.deleteDirectory(id)
        } catch StorageError.notFound {
            throw Self.notFound(id)
        }
        try await store.append(AuditEntry(
            at: now(), actor: actor, action: "domain.delete", target: id.rawValue,
            details: #"{"orgHost":"\#(preview.orgHost)","users":\#(preview.users),"groups":\#(preview.groups)}"#))
        logger.notice("Okta domain deleted", metadata: ["directory.id": id.rawValue, "okta.org_host": preview.orgHost])
        return preview
    }

    // MARK: - Sync

    /// Sync Now (DESIGN.md §8): joins the running run when it covers the request, else joins (or upgrades)
    /// the queued follow-up, else queues a run; any instance on the database may run it.
    ///
    /// - Parameter kind: The requested kind; default incremental when a recent full run exists, else full.
    /// - Returns: the serving run (`queued` or `running`) and whether the request joined it (200) rather
    ///   than creating it (202).
    public func syncNow(_ id: DirectoryID, kind requested: SyncKind?) async throws -> (run: SyncRunRecord, joined: Bool) {
        _ = try await record(id)
        do {
            let ticket = try await syncNowService.request(id, kind: requested)
            return (ticket.run, !ticket.isNewRun)
        } catch StorageError.notFound {
            throw Self.notFound(id)
        }
    }

    /// A page of a domain's runs, newest first.
    public func runs(of id: DirectoryID, after: ListingPosition?, limit: Int) async throws -> ListingPage<SyncRunRecord> {
        _ = try await record(id)
        return try await store.runs(of: id, after: after, limit: limit)
    }

    /// One run with its per-object outcomes.
    public func run(_ id: SyncRunID) async throws -> (SyncRunRecord, [SyncRunObject]) {
        guard let run = try await store.run(id) else { throw APIError.notFound("No sync run with id '\(id.rawValue)'.") }
        return (run, try await store.runObjects(id))
    }

    /// Approves a run held by the mass-removal guard (each held object is re-confirmed first).
    public func approve(_ id: SyncRunID, actor: String) async throws -> SyncRunRecord {
        guard let run = try await store.run(id) else { throw APIError.notFound("No sync run with id '\(id.rawValue)'.") }
        let record = try await record(run.directoryID)
        do {
            return try await engine.approveHeldRun(id, source: try factory.makeSource(record), actor: actor)
        } catch let error as SyncEngineError {
            throw Self.apiError(error)
        } catch let error as OktaError {
            throw Self.oktaFailure(error, field: "apiToken")
        }
    }

    /// Discards a held run.
    public func discard(_ id: SyncRunID, actor: String) async throws -> SyncRunRecord {
        do {
            return try await engine.discardHeldRun(id, actor: actor)
        } catch let error as SyncEngineError {
            throw Self.apiError(error)
        }
    }

    // MARK: - Helpers

    func record(_ id: DirectoryID) async throws -> DirectoryRecord {
        guard let record = try await store.directory(id) else { throw Self.notFound(id) }
        return record
    }

    func view(_ record: DirectoryRecord) async throws -> DomainView {
        DomainView(
            record: record, selfEnrollBlockedReason: record.selfEnroll ? Self.identityAppPending : nil,
            lastRun: try await store.runs(of: record.id, limit: 1).first)
    }

    /// The token check: who the token acts as, then whether it sees the whole directory.
    func checkToken(_ token: OktaAPIToken, endpoint: OktaEndpoint) async throws {
        let client = factory.directClient(endpoint: endpoint, token: token)
        do {
            _ = try await client.currentAdmin()
            let count = try await OktaDirectorySource(api: client, endpoint: endpoint).organizationUserCount()
            if count == nil {
                throw APIError(
                    .unprocessableEntity, code: "okta_token_partial_view",
                    message: "The API token cannot see the whole directory (the Everyone group is not visible to it; a group "
                        + "administrator's token?). Use a token of a Super or Read-Only Administrator.",
                    details: ["apiToken": "sees only part of the directory"])
            }
        } catch let error as OktaError {
            throw Self.oktaFailure(error, field: "apiToken")
        }
    }

    /// One specific API error per Okta failure class (DESIGN.md §1.1, §5).
    static func oktaFailure(_ error: OktaError, field: String) -> APIError {
        let message = error.explanation
        switch error.code {
        case .invalidToken, .invalidSession:
            return APIError(.unprocessableEntity, code: "okta_token_invalid", message: message, details: ["apiToken": "was rejected by Okta"])
        case .insufficientPermissions, .featureNotAvailable, .operationNotAllowed:
            return APIError(.unprocessableEntity, code: "okta_token_insufficient", message: message,
                            details: ["apiToken": "lacks the administrator permissions Pier needs"])
        case .notAnOktaOrg, .notFound, .decoding, .unexpectedStatus:
            return APIError(.unprocessableEntity, code: "okta_not_an_org",
                            message: "The host did not answer like an Okta org. Check the Okta domain (for example acme.okta.com).",
                            details: ["domain": "is not an Okta org"])
        case .rateLimited, .retryBudgetExhausted:
            return APIError(.serviceUnavailable, code: "okta_rate_limited", message: message,
                            details: [field: "Okta rate-limited the check; try again in a minute"])
        case .invalidDomain, .developmentEndpointRefused:
            return APIError.validationFailed(["domain": message])
        default:
            return APIError(.badGateway, code: "okta_unreachable",
                            message: "Pier could not reach the Okta org (\(error.failure.rawValue)). Check the domain and the server's network access, then try again.",
                            details: ["domain": "could not be reached"])
        }
    }

    static func apiError(_ error: SyncEngineError) -> APIError {
        switch error {
        case .runNotFound: APIError.notFound("No such sync run.")
        case .alreadyRunning: APIError(.conflict, code: "conflict", message: "Another sync of this domain is running; try again when it ends.")
        case .leaseLost: APIError(.conflict, code: "conflict", message: "This instance lost the domain's sync lease; nothing was changed.")
        case .notAwaitingApproval: APIError(.conflict, code: "conflict", message: "The run does not await approval (a later run may have replaced it).")
        }
    }

    static func notFound(_ id: DirectoryID) -> APIError { APIError.notFound("No domain with id '\(id.rawValue)'.") }

    static func duplicate(_ orgHost: String) -> APIError {
        APIError(.conflict, code: "domain_duplicate_org",
                 message: "The Okta org \(orgHost) is already configured (under this or another of its names); edit that domain instead.")
    }
}
