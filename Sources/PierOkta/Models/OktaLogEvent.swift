public import Foundation
public import PierCore

/// A System Log event (REFERENCE §7.2), reduced to what change detection needs.
public struct OktaLogEvent: Decodable, Sendable, Hashable {
    /// An actor or target.
    public struct Entity: Decodable, Sendable, Hashable {
        public var id: String?
        public var type: String?
        public var alternateId: String?
        public var displayName: String?
    }

    /// `outcome`.
    public struct Outcome: Decodable, Sendable, Hashable {
        public var result: String?
        public var reason: String?
    }

    public var uuid: String
    public var published: Date
    public var eventType: String
    public var severity: String?
    public var displayMessage: String?
    public var legacyEventType: String?
    public var actor: Entity?
    public var target: [Entity]?
    public var outcome: Outcome?

    /// The domain view: users and groups among the targets.
    public var changeEvent: DirectoryChangeEvent {
        let targets = target ?? []
        return DirectoryChangeEvent(
            id: uuid, published: published, eventType: eventType,
            userIDs: targets.filter { $0.type == "User" }.compactMap(\.id).map(OktaUserID.init(rawValue:)),
            groupIDs: targets.filter { $0.type == "UserGroup" }.compactMap(\.id).map(OktaGroupID.init(rawValue:)))
    }
}
