import Testing
@testable import PierOkta

struct OktaDomainTests {
    @Test(arguments: [
        ("acme.okta.com", "acme.okta.com"),
        ("  https://ACME.okta.com/  ", "acme.okta.com"),
        ("https://acme.okta.com/admin/dashboard?x=1", "acme.okta.com"),
        ("acme.oktapreview.com", "acme.oktapreview.com"),
        ("acme.okta-emea.com", "acme.okta-emea.com"),
        ("acme.okta-gov.com", "acme.okta-gov.com"),
        ("acme.okta.mil", "acme.okta.mil"),
        ("login.acme.example", "login.acme.example"),
        ("acme.okta.com.", "acme.okta.com"),
        ("https://acme.okta.com:443", "acme.okta.com"),
    ])
    func normalises(_ input: String, _ host: String) throws {
        let domain = try OktaDomain(parsing: input)
        #expect(domain.host == host)
        #expect(domain.endpoint.baseURL == "https://\(host)")
        #expect(domain.notes.isEmpty)
    }

    @Test func recognisesOktaAndCustomDomains() throws {
        #expect(try OktaDomain(parsing: "acme.okta.com").kind == .okta(suffix: "okta.com"))
        #expect(try OktaDomain(parsing: "acme.oktapreview.com").kind == .okta(suffix: "oktapreview.com"))
        #expect(try OktaDomain(parsing: "sso.acme.example").kind == .custom)
    }

    @Test(arguments: [
        ("acme-admin.okta.com", "acme.okta.com"),
        ("https://acme-admin.oktapreview.com/admin/users", "acme.oktapreview.com"),
        ("acme-admin-admin.okta-emea.com", "acme.okta-emea.com"),
    ])
    func correctsAdminHostWithNote(_ input: String, _ host: String) throws {
        let domain = try OktaDomain(parsing: input)
        #expect(domain.host == host)
        #expect(domain.notes.count == 1)
        guard case .adminHostCorrected(_, let to) = domain.notes.first else { Issue.record("no note"); return }
        #expect(to == host)
        #expect(domain.notes[0].description.contains("Admin Console"))
    }

    @Test(arguments: [
        ("", "empty"),
        ("acme .okta.com", "spaces"),
        ("acme.okta.com.com", ".com.com"),
        ("https://https://acme.okta.com", "scheme twice"),
        ("https://http://acme.okta.com", "scheme twice"),
        ("ftp://acme.okta.com", "unsupported scheme"),
        ("okta.com", "missing"),
        ("a.b.okta.com", "exactly one name"),
        ("acme", "not a full domain"),
        ("acme..okta.com", "empty label"),
        ("acme_x.okta.com", "characters"),
        ("-acme.okta.com", "starts or ends"),
        ("user@acme.okta.com", "user name"),
        ("http://acme.okta.com", "https"),
        ("-admin.okta.com", "starts or ends"),
        ("acme.okta.com.evil.example", "continues after"),
    ])
    func rejectsMalformedInput(_ input: String, _ reason: String) {
        #expect {
            try OktaDomain(parsing: input)
        } throws: { error in
            guard let error = error as? OktaError, error.code == .invalidDomain else { return false }
            return error.detail.contains(reason) && error.explanation.contains(error.detail)
        }
    }

    @Test(arguments: ["http://127.0.0.1:8080", "127.0.0.1:8080", "10.0.0.1", "http://localhost:9000", "[::1]:8080"])
    func refusesDevelopmentEndpointsUnlessEnabled(_ input: String) throws {
        #expect(oktaError { _ = try OktaDomain(parsing: input) }?.code == .developmentEndpointRefused)
    }

    @Test func acceptsDevelopmentEndpointWhenEnabled() throws {
        let domain = try OktaDomain(parsing: "http://127.0.0.1:8080/", allowDevelopmentEndpoint: true)
        #expect(domain.kind == .development)
        #expect(domain.endpoint.baseURL == "http://127.0.0.1:8080")
        #expect(domain.endpoint.isDevelopment)
        let v6 = try OktaDomain(parsing: "http://[::1]:8080", allowDevelopmentEndpoint: true)
        #expect(v6.endpoint.baseURL == "http://[::1]:8080")
    }

    @Test func developmentOverrideStillNeedsLoopback() {
        let error = oktaError { _ = try OktaDomain(parsing: "http://acme.example:8080", allowDevelopmentEndpoint: true) }
        #expect(error?.code == .invalidDomain)
    }
}
