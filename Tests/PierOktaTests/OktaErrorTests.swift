import Foundation
import PierCore
import PierHTTP
import Testing
@testable import PierOkta

struct OktaErrorTests {
    static let json = [("Content-Type", "application/json")]

    @Test(arguments: [
        ("spec-examples/error-401-E0000011-invalid-token.json", 401, OktaError.Code.invalidToken),
        ("spec-examples/error-403-E0000006-access-denied.json", 403, .insufficientPermissions),
        ("docs-examples/error-403-E0000005-invalid-session.json", 403, .invalidSession),
        ("spec-examples/error-404-E0000007-not-found.json", 404, .notFound),
        ("user-get-not-found-404.json", 404, .notFound),
        ("group-get-not-found-404.json", 404, .notFound),
        ("spec-examples/error-429-E0000047-rate-limit.json", 429, .rateLimited),
        ("spec-examples/error-500-E0000009-internal.json", 500, .server),
        ("spec-examples/error-400-E0000001-validation.json", 400, .validation),
        ("docs-examples/app-user-unassign-group-granted-403.json", 403, .operationNotAllowed),
    ])
    func classifiesFixtures(_ name: String, _ status: Int, _ code: OktaError.Code) throws {
        let error = OktaError.classify(status: status, headers: Self.json, body: try Fixture.data(name))
        #expect(error.code == code)
        #expect(error.errorCode?.hasPrefix("E0000") == true)
        #expect(error.errorID != nil)
        #expect(!error.explanation.isEmpty)
    }

    @Test func notFoundOnlyE0000007IsResourceNotFound() throws {
        let real = OktaError.classify(status: 404, headers: Self.json, body: try Fixture.data("user-get-not-found-404.json"))
        #expect(real.isResourceNotFound)
        let other = OktaError.classify(status: 404, headers: Self.json, body: Data(#"{"errorCode":"E0000099"}"#.utf8))
        #expect(other.code == .notFound)
        #expect(!other.isResourceNotFound)
    }

    @Test func classifiesByCodeNotMessage() {
        // The same summary text with different codes classifies differently; the text is never read.
        let body = { (code: String) in Data(#"{"errorCode":"\#(code)","errorSummary":"Invalid token provided"}"#.utf8) }
        #expect(OktaError.classify(status: 403, headers: Self.json, body: body("E0000006")).code == .insufficientPermissions)
        #expect(OktaError.classify(status: 401, headers: Self.json, body: body("E0000015")).code == .featureNotAvailable)
        #expect(OktaError.classify(status: 400, headers: Self.json, body: body("E0000029")).code == .invalidCursor)
        #expect(OktaError.classify(status: 400, headers: Self.json, body: body("E0000054")).code == .invalidCursor)
        #expect(OktaError.classify(status: 400, headers: Self.json, body: body("E0000031")).code == .validation)
    }

    @Test func htmlIsNotAnOktaOrg() {
        let html = Data("<html><body>Not found</body></html>".utf8)
        let error = OktaError.classify(status: 404, headers: [("Content-Type", "text/html")], body: html)
        #expect(error.code == .notAnOktaOrg)
        #expect(error.failure == .notAnOktaOrg)
        let jsonButGarbage = OktaError.classify(status: 404, headers: Self.json, body: html)
        #expect(jsonButGarbage.code == .notAnOktaOrg)
    }

    @Test func rateLimitedCarriesResetAndDate() throws {
        let headers: [(String, String)] = [
            ("Content-Type", "application/json"), ("X-Rate-Limit-Limit", "600"), ("X-Rate-Limit-Remaining", "0"),
            ("X-Rate-Limit-Reset", "1609459260"), ("Date", "Fri, 01 Jan 2021 00:00:00 GMT"),
        ]
        let error = OktaError.classify(
            status: 429, headers: headers, body: try Fixture.data("spec-examples/error-429-E0000047-rate-limit.json"))
        #expect(error.code == .rateLimited)
        #expect(error.resetAt == Date(timeIntervalSince1970: 1_609_459_260))
        #expect(error.serverDate == Date(timeIntervalSince1970: 1_609_459_200))
        #expect(error.rateLimit?.limit == 600)
    }

    @Test(arguments: [
        (HTTPClientError.Code.timeout, OktaError.Code.timeout),
        (.connectionRefused, .connectionFailed),
        (.couldNotResolve, .hostNotFound),
        (.tls, .tls),
        (.cancelled, .cancelled),
        (.other, .transport),
    ])
    func mapsTransportFailures(_ code: HTTPClientError.Code, _ expected: OktaError.Code) {
        let error = OktaError.transport(HTTPClientError(code, "curl said https://acme.okta.com/?secret"))
        #expect(error.code == expected)
        #expect(error.failure == .transport || expected == .transport)
        #expect(!error.description.contains("secret"))
    }

    @Test func validationExplanationListsCauses() {
        let body = Data(#"{"errorCode":"E0000001","errorCauses":[{"errorSummary":"label: must be unique"}]}"#.utf8)
        let error = OktaError.classify(status: 400, headers: Self.json, body: body)
        #expect(error.causes == ["label: must be unique"])
        #expect(error.explanation.contains("label: must be unique"))
    }

    @Test func everyCodeHasAnExplanation() {
        let codes: [OktaError.Code] = [
            .invalidDomain, .developmentEndpointRefused, .invalidToken, .invalidSession, .insufficientPermissions,
            .featureNotAvailable, .notFound, .rateLimited, .validation, .invalidCursor, .operationNotAllowed, .server,
            .notAnOktaOrg, .timeout, .connectionFailed, .hostNotFound, .tls, .cancelled, .transport, .foreignLinkHost,
            .paginationLoop, .pageCapReached, .invalidLink, .decoding, .unexpectedStatus, .retryBudgetExhausted,
            .oidcDiscovery, .oidcTokenExchange, .oidcAuthorizationDenied, .oidcInvalidResponse, .idTokenRejected,
        ]
        for code in codes {
            let error = OktaError(code)
            #expect(error.explanation.count > 20, "\(code)")
            #expect(error.explanation != "The request to Okta failed.", "\(code)")
        }
    }

    @Test func tokenIsRedacted() {
        let token = OktaAPIToken(" 00abcdefSECRETvalue1234\n")
        #expect("\(token)" == "<redacted>")
        #expect(String(reflecting: token) == "<redacted>")
        #expect(token.lastFour == "1234")
        #expect(token.value == "00abcdefSECRETvalue1234")
    }
}
