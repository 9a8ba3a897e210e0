import Foundation
import PierCore
import PierStorage

/// ISO 8601 timestamps in UTC with milliseconds (`2025-01-31T08:00:00.000Z`).
enum APITimestamp {
    static func format(_ date: Date?) -> String? {
        guard let date else { return nil }
        return date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon)
            .timeZone(separator: .omitted))
    }
}

/// `domain` (DESIGN.md §5). The token never appears: only its last four characters.
struct DomainResource: Encodable, Sendable {
    var view: DomainView

    enum CodingKeys: String, CodingKey {
        case id, domain, orgHost, orgId, note, selfEnroll, selfEnrollBlockedReason, schedule, apiTokenHint, lastRun, endpoint, createdAt
    }

    func encode(to encoder: any Encoder) throws {
        let record = view.record
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.id.rawValue, forKey: .id)
        try container.encode(record.domain, forKey: .domain)
        try container.encode(record.orgHost, forKey: .orgHost)
        try container.encode(record.orgID, forKey: .orgId)
        try container.encode(record.note, forKey: .note)
        try container.encode(record.selfEnroll, forKey: .selfEnroll)
        try container.encode(view.selfEnrollBlockedReason, forKey: .selfEnrollBlockedReason)
        try container.encode(record.schedule, forKey: .schedule)
        try container.encode(record.apiTokenHint, forKey: .apiTokenHint)
        try container.encode(view.lastRun.map(RunResource.init), forKey: .lastRun)
        try container.encode(record.endpoint, forKey: .endpoint)
        try container.encode(APITimestamp.format(record.createdAt), forKey: .createdAt)
    }
}

/// `run` (DESIGN.md §5), optionally with its per-object outcomes (`GET /api/v1/sync-runs/{id}`).
struct RunResource: Encodable, Sendable {
    var record: SyncRunRecord
    var objects: [SyncRunObject]?

    init(_ record: SyncRunRecord) {
        self.record = record
        self.objects = nil
    }

    init(_ record: SyncRunRecord, objects: [SyncRunObject]) {
        self.record = record
        self.objects = objects
    }

    enum CodingKeys: String, CodingKey {
        case id, domainId, trigger, kind, state, queuedAt, startedAt, finishedAt, counts, held, oktaRequests, rateLimitWaitSeconds,
             error, progress, objects
    }

    struct Held: Encodable { var users: Int; var groups: Int }

    struct Object: Encodable {
        var kind: String
        var oktaId: String
        var pierId: String?
        var outcome: String
        var reason: String?

        enum CodingKeys: String, CodingKey { case kind, oktaId, pierId, outcome, reason }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(oktaId, forKey: .oktaId)
            try container.encode(pierId, forKey: .pierId)
            try container.encode(outcome, forKey: .outcome)
            try container.encode(reason, forKey: .reason)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.id.rawValue, forKey: .id)
        try container.encode(record.directoryID.rawValue, forKey: .domainId)
        try container.encode(record.trigger.rawValue, forKey: .trigger)
        try container.encode(record.kind.rawValue, forKey: .kind)
        try container.encode(record.state.rawValue, forKey: .state)
        try container.encode(APITimestamp.format(record.queuedAt), forKey: .queuedAt)
        try container.encode(APITimestamp.format(record.startedAt), forKey: .startedAt)
        try container.encode(APITimestamp.format(record.finishedAt), forKey: .finishedAt)
        try container.encode(record.counts, forKey: .counts)
        try container.encode(record.held.map { Held(users: $0.users, groups: $0.groups) }, forKey: .held)
        try container.encode(record.oktaRequests, forKey: .oktaRequests)
        try container.encode(record.rateLimitWaitSeconds, forKey: .rateLimitWaitSeconds)
        try container.encode(record.error, forKey: .error)
        let progress = record.progress ?? SyncProgress(phase: record.state.isFinished ? "finished" : "starting")
        try container.encode(progress, forKey: .progress)
        if let objects {
            try container.encode(
                objects.map { Object(kind: $0.kind.rawValue, oktaId: $0.oktaID, pierId: $0.pierID, outcome: $0.outcome, reason: $0.reason) },
                forKey: .objects)
        }
    }
}
