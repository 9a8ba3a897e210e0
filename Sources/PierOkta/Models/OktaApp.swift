public import Foundation
public import PierCore

/// An app instance (REFERENCE §5.1), reduced to what Pier's identity app needs. `client_secret` is
/// present only in create/update responses.
public struct OktaApp: Decodable, Sendable, Hashable {
    public struct OAuthClientCredentials: Decodable, Sendable, Hashable {
        public var clientID: String?
        public var clientSecret: String?
        public var tokenEndpointAuthMethod: String?
        public var pkceRequired: Bool?

        enum CodingKeys: String, CodingKey {
            case clientID = "client_id", clientSecret = "client_secret"
            case tokenEndpointAuthMethod = "token_endpoint_auth_method", pkceRequired = "pkce_required"
        }
    }

    public struct Credentials: Decodable, Sendable, Hashable {
        public var oauthClient: OAuthClientCredentials?
    }

    public struct OAuthClientSettings: Decodable, Sendable, Hashable {
        public var redirectURIs: [String]?
        public var responseTypes: [String]?
        public var grantTypes: [String]?
        public var applicationType: String?
        public var issuerMode: String?

        enum CodingKeys: String, CodingKey {
            case redirectURIs = "redirect_uris", responseTypes = "response_types", grantTypes = "grant_types"
            case applicationType = "application_type", issuerMode = "issuer_mode"
        }
    }

    public struct Settings: Decodable, Sendable, Hashable {
        public var oauthClient: OAuthClientSettings?
    }

    public var id: String
    public var name: String
    public var label: String
    public var status: String
    public var signOnMode: String?
    public var created: Date?
    public var lastUpdated: Date?
    public var credentials: Credentials?
    public var settings: Settings?
    /// The free-form app profile (Pier stores its installation id here).
    public var profile: [String: DirectoryAttributeValue]?
}

/// A group assignment of an app (REFERENCE §5.4).
public struct OktaAppGroupAssignment: Decodable, Sendable, Hashable {
    public var id: OktaGroupID
    public var priority: Int?
    public var lastUpdated: Date?
    public var profile: [String: DirectoryAttributeValue]?
}

/// An app user (REFERENCE §5.5): a direct (`USER`) or group-derived (`GROUP`) assignment.
public struct OktaAppUser: Decodable, Sendable, Hashable {
    public struct Credentials: Decodable, Sendable, Hashable {
        public var userName: String?
    }

    public var id: OktaUserID
    public var externalId: String?
    public var scope: String?
    public var status: String?
    public var created: Date?
    public var lastUpdated: Date?
    public var statusChanged: Date?
    public var syncState: String?
    public var credentials: Credentials?
    public var profile: [String: DirectoryAttributeValue]?
}
