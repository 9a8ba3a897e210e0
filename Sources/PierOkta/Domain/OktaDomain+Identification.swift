public import PierHTTP
import Foundation

extension OktaDomain {
    /// Identifies the org behind this domain through `GET /.well-known/okta-organization` (no token).
    ///
    /// - Parameters:
    ///   - httpClient: The transport.
    ///   - userAgent: Sent as `User-Agent`.
    /// - Returns: The org (id, canonical URL, custom domain) and the endpoint to store: the canonical org
    ///   host, accepting pagination links to the typed host and the custom domain. A development domain
    ///   keeps its loopback endpoint.
    /// - Throws: ``OktaError`` — ``OktaError/Code/notAnOktaOrg`` for HTML or a body without an org id,
    ///   transport codes for network failures.
    public func identify(httpClient: any HTTPClient, userAgent: String = "Pier") async throws -> (OktaOrganization, OktaEndpoint) {
        let client = HTTPOktaClient(endpoint: endpoint, token: nil, httpClient: httpClient, userAgent: userAgent)
        let response = try await client.send(
            OktaRequest(path: "/.well-known/okta-organization", authenticated: false))
        guard let metadata = try? OktaTimestamp.makeDecoder().decode(OktaOrganizationMetadata.self, from: response.body),
            metadata.id.hasPrefix("00o"), let orgURL = metadata._links?.organization?.href
        else {
            throw OktaError(.notAnOktaOrg, detail: "no org id in /.well-known/okta-organization", status: response.status)
        }
        let organization = OktaOrganization(
            id: metadata.id, orgURL: orgURL, customDomainURL: metadata._links?.alternate?.href, pipeline: metadata.pipeline)
        if kind == .development {
            return (organization, endpoint)
        }
        let canonical = try OktaDomain(parsing: orgURL)
        var hosts: Set<String> = [host]
        if let custom = organization.customDomainURL, let customDomain = try? OktaDomain(parsing: custom) {
            hosts.insert(customDomain.host)
        }
        hosts.remove(canonical.host)
        return (organization, canonical.endpoint.accepting(linkHosts: hosts))
    }
}
