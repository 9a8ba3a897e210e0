public import Foundation

/// One change reported by the directory's change feed (Okta's System Log), reduced to what sync needs:
/// which users and groups it touched. Apply idempotently: the feed can repeat events, so de-duplicate by
/// ``id``.
public struct DirectoryChangeEvent: Hashable, Sendable, Codable {
    /// What kind of change an event type denotes.
    public enum Kind: Hashable, Sendable, Codable {
        /// `user.lifecycle.*` (create, activate, deactivate, suspend, delete, …).
        case userLifecycle
        /// `user.account.update_profile` and other `user.account.*` changes.
        case userProfile
        /// `group.user_membership.add`.
        case membershipAdded
        /// `group.user_membership.remove`.
        case membershipRemoved
        /// `group.lifecycle.*`.
        case groupLifecycle
        /// `group.profile.*` / `group.profile_updated`.
        case groupProfile
        /// Anything else (sign-ins, app events).
        case other

        /// Classifies an Okta `eventType`.
        public init(eventType: String) {
            if eventType.hasPrefix("user.lifecycle.") {
                self = .userLifecycle
            } else if eventType.hasPrefix("user.account.") {
                self = .userProfile
            } else if eventType == "group.user_membership.add" {
                self = .membershipAdded
            } else if eventType == "group.user_membership.remove" {
                self = .membershipRemoved
            } else if eventType.hasPrefix("group.lifecycle.") {
                self = .groupLifecycle
            } else if eventType.hasPrefix("group.profile") {
                self = .groupProfile
            } else {
                self = .other
            }
        }
    }

    /// The event's unique id (System Log `uuid`).
    public var id: String
    /// When the event was published.
    public var published: Date
    /// Okta's `eventType`, verbatim.
    public var eventType: String
    /// Users among the event's targets.
    public var userIDs: [OktaUserID]
    /// Groups among the event's targets.
    public var groupIDs: [OktaGroupID]

    /// The classification of ``eventType``.
    public var kind: Kind { Kind(eventType: eventType) }

    /// Creates an event.
    public init(id: String, published: Date, eventType: String, userIDs: [OktaUserID] = [], groupIDs: [OktaGroupID] = []) {
        self.id = id
        self.published = published
        self.eventType = eventType
        self.userIDs = userIDs
        self.groupIDs = groupIDs
    }
}
