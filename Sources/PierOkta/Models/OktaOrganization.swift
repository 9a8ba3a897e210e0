/// What `GET /.well-known/okta-organization` says about an org (no authentication needed).
public struct OktaOrganization: Sendable, Hashable {
    /// The org id (`00o…`): the unique key of a configured domain.
    public var id: String
    /// The canonical org URL (`https://acme.okta.com`).
    public var orgURL: String
    /// The org's custom domain URL, if it has one.
    public var customDomainURL: String?
    /// `idx` (Identity Engine) or `v1` (Classic).
    public var pipeline: String?
}

/// The wire shape of `/.well-known/okta-organization`.
struct OktaOrganizationMetadata: Decodable {
    struct Href: Decodable { var href: String? }
    struct Links: Decodable {
        var organization: Href?
        var alternate: Href?
    }

    var id: String
    var pipeline: String?
    var _links: Links?
}
