public import Foundation
public import PierCore

/// A stored Okta domain (`directories`), as the sync engine and the domain service need it.
///
/// Secrets are opaque: ``apiTokenCiphertext`` is AES-GCM ciphertext made by the caller (DESIGN.md §7);
/// storage never sees a token in clear.
public struct DirectoryRecord: Hashable, Sendable {
    public var id: DirectoryID
    /// The domain as the administrator entered it.
    public var domain: String
    /// The Okta org id (`00o…`), unique across domains.
    public var orgID: String
    /// The canonical org host all traffic goes to.
    public var orgHost: String
    /// A development endpoint fixed at creation (the simulator), or nil.
    public var endpoint: String?
    /// A visible note (e.g. the `-admin` correction).
    public var note: String?
    public var apiTokenCiphertext: [UInt8]
    /// The token's last four characters.
    public var apiTokenHint: String
    public var selfEnroll: Bool
    public var schedule: SyncSchedule
    public var guardThresholds: RemovalGuard.Thresholds
    /// The incremental-sync watermark (server time of the last successful run's first request − 2 s).
    public var watermark: Date?
    /// When the last successful full run finished.
    public var lastFullSyncAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: DirectoryID, domain: String, orgID: String, orgHost: String, endpoint: String? = nil, note: String? = nil,
        apiTokenCiphertext: [UInt8], apiTokenHint: String, selfEnroll: Bool = false,
        schedule: SyncSchedule = SyncSchedule(frequency: .manual), guardThresholds: RemovalGuard.Thresholds = .init(),
        watermark: Date? = nil, lastFullSyncAt: Date? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.domain = domain
        self.orgID = orgID
        self.orgHost = orgHost
        self.endpoint = endpoint
        self.note = note
        self.apiTokenCiphertext = apiTokenCiphertext
        self.apiTokenHint = apiTokenHint
        self.selfEnroll = selfEnroll
        self.schedule = schedule
        self.guardThresholds = guardThresholds
        self.watermark = watermark
        self.lastFullSyncAt = lastFullSyncAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What an update of a domain may change (the domain itself never changes, DESIGN.md §1.1).
public struct DirectoryUpdate: Hashable, Sendable {
    public var selfEnroll: Bool?
    public var schedule: SyncSchedule?
    public var guardThresholds: RemovalGuard.Thresholds?
    /// A new token's ciphertext; set together with ``apiTokenHint``.
    public var apiTokenCiphertext: [UInt8]?
    public var apiTokenHint: String?

    public init(
        selfEnroll: Bool? = nil, schedule: SyncSchedule? = nil, guardThresholds: RemovalGuard.Thresholds? = nil,
        apiTokenCiphertext: [UInt8]? = nil, apiTokenHint: String? = nil
    ) {
        self.selfEnroll = selfEnroll
        self.schedule = schedule
        self.guardThresholds = guardThresholds
        self.apiTokenCiphertext = apiTokenCiphertext
        self.apiTokenHint = apiTokenHint
    }
}

/// Okta domains: create, read, update, delete (DESIGN.md §1.1, §1.3).
public protocol DirectoryConfigurationStore: Sendable {
    /// Stores a new domain.
    ///
    /// - Throws: `StorageError.conflict` when the org id is already configured.
    func createDirectory(_ directory: DirectoryRecord) async throws

    /// One domain, or nil.
    func directory(_ id: DirectoryID) async throws -> DirectoryRecord?

    /// Every domain, oldest first.
    func directories() async throws -> [DirectoryRecord]

    /// Changes what may change; returns the updated record.
    ///
    /// - Throws: `StorageError.notFound`.
    func updateDirectory(_ id: DirectoryID, _ update: DirectoryUpdate, at date: Date) async throws -> DirectoryRecord

    /// Deletes a domain with its users, groups, memberships, runs and tombstones in one transaction.
    ///
    /// - Throws: `StorageError.notFound`; `StorageError.constraint` when a user of the domain still owns
    ///   devices (the caller must disenroll or reassign them first, in the same transaction or before).
    func deleteDirectory(_ id: DirectoryID) async throws
}

/// A directory user as stored (for reads by the API and tests).
public struct StoredDirectoryUser: Hashable, Sendable {
    public var id: String
    public var directoryID: DirectoryID
    public var record: DirectoryUserRecord
    public var status: PierUserStatus
}

/// A directory group as stored.
public struct StoredDirectoryGroup: Hashable, Sendable {
    public var id: String
    public var directoryID: DirectoryID
    public var record: DirectoryGroupRecord
    public var memberCount: Int
}

/// Reads of a domain's imported users, groups and memberships.
public protocol DirectoryReader: Sendable {
    /// Users of a domain, ordered by Okta id.
    func directoryUsers(_ directory: DirectoryID) async throws -> [StoredDirectoryUser]
    /// Groups of a domain, ordered by Okta id, with imported member counts.
    func directoryGroups(_ directory: DirectoryID) async throws -> [StoredDirectoryGroup]
    /// The Okta ids of a group's imported members, sorted.
    func members(of group: OktaGroupID, in directory: DirectoryID) async throws -> [OktaUserID]
}

/// What happens to the devices of a deleted domain's users (DESIGN.md §1.3, §5 `devices=`).
public enum DomainDeviceDecision: Sendable, Hashable {
    /// Every device is disenrolled: state `disenrolled`, no owner, its device secret revoked, its pending
    /// commands cancelled.
    case disenroll
    /// Every device goes to this user (a user outside the domain, not deactivated).
    case reassign(toUser: String)
}

/// Why a domain with devices was not deleted.
public enum DomainDeletionRefusal: Error, Sendable, Hashable {
    /// Users of the domain own devices and no decision was given (or a device appeared since the preview).
    case devicesNeedDecision(devices: Int)
    /// The reassignment target does not exist, belongs to the deleted domain, or is deactivated.
    case invalidReassignTarget(String)
}

