import Foundation
public import PierHTTP
public import PierLogging

/// The management-API transport: builds Okta's headers, sends over an ``HTTPClient`` to the one
/// configured endpoint, and classifies failures into ``OktaError``.
///
/// The token only ever goes to ``endpoint`` (DESIGN.md §7): requests carry a path, never a host. The
/// token is never logged; log lines carry method, path and status.
public struct HTTPOktaClient: OktaAPI {
    /// Where requests go.
    public let endpoint: OktaEndpoint
    private let token: OktaAPIToken?
    private let httpClient: any HTTPClient
    private let userAgent: String
    private let logger: Logger
    private let timeout: Duration

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - endpoint: The org's endpoint.
    ///   - token: The API token; `nil` for unauthenticated calls only (org identification).
    ///   - httpClient: The transport (``CurlHTTPClient`` in production).
    ///   - userAgent: Sent as `User-Agent`, e.g. `Pier/1.0`.
    ///   - timeout: Total timeout per request.
    ///   - logger: Debug log of each exchange (no headers, no bodies).
    public init(
        endpoint: OktaEndpoint, token: OktaAPIToken?, httpClient: any HTTPClient, userAgent: String = "Pier",
        timeout: Duration = .seconds(30), logger: Logger = .disabled()
    ) {
        self.endpoint = endpoint
        self.token = token
        self.httpClient = httpClient
        self.userAgent = userAgent
        self.timeout = timeout
        self.logger = logger
    }

    public func send(_ request: OktaRequest) async throws -> OktaResponse {
        precondition(request.pathAndQuery.hasPrefix("/"), "Okta requests carry a path, never a host")
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("User-Agent", userAgent)]
        if request.authenticated {
            guard let token else { throw OktaError(.invalidSession, detail: "no API token configured") }
            headers.append(("Authorization", "SSWS \(token.value)"))
        }
        if request.body != nil { headers.append(("Content-Type", "application/json")) }
        let httpRequest = HTTPClientRequest(
            method: request.method, url: endpoint.baseURL + request.pathAndQuery, headers: headers, body: request.body,
            totalTimeout: timeout)
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(httpRequest)
        } catch {
            let classified = OktaError.transport(error)
            logger.debug("okta request failed", metadata: [
                "okta.request.method": request.method.rawValue, "okta.request.path": request.path,
                "error.code": classified.code.description,
            ])
            throw classified
        }
        logger.debug("okta request", metadata: [
            "okta.request.method": request.method.rawValue, "okta.request.path": request.path,
            "okta.response.status": String(response.status),
        ])
        guard (200...299).contains(response.status) else {
            throw OktaError.classify(status: response.status, headers: response.headers, body: response.body)
        }
        if request.expectsJSON && response.status != 204 && !OktaError.isJSONContentType(response.headers) {
            var error = OktaError(.notAnOktaOrg, detail: "HTTP \(response.status) without a JSON body", status: response.status)
            error.rateLimit = OktaRateLimitStatus(headers: response.headers)
            throw error
        }
        return OktaResponse(status: response.status, headers: response.headers, body: response.body)
    }
}
