public import Foundation
public import PierCore

/// Why a call to Okta (management API, org identification or OpenID Connect) failed.
///
/// Classified by HTTP status and Okta's `errorCode` only, never by message text (STYLE.md §11.5).
/// ``explanation`` is the plain-language text for an administrator; ``detail`` is internal context for
/// logs. Neither ever contains the API token, a client secret or an authorization code.
public struct OktaError: DirectorySourceError, CustomStringConvertible {
    /// A stable, closed set of failure kinds.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case invalidDomain = "okta.invalid_domain"
            case developmentEndpointRefused = "okta.development_endpoint_refused"
            case invalidToken = "okta.invalid_token"
            case invalidSession = "okta.invalid_session"
            case insufficientPermissions = "okta.insufficient_permissions"
            case featureNotAvailable = "okta.feature_not_available"
            case notFound = "okta.not_found"
            case rateLimited = "okta.rate_limited"
            case validation = "okta.validation"
            case invalidCursor = "okta.invalid_cursor"
            case operationNotAllowed = "okta.operation_not_allowed"
            case server = "okta.server_error"
            case notAnOktaOrg = "okta.not_an_okta_org"
            case timeout = "okta.timeout"
            case connectionFailed = "okta.connection_failed"
            case hostNotFound = "okta.host_not_found"
            case tls = "okta.tls"
            case cancelled = "okta.cancelled"
            case transport = "okta.transport"
            case foreignLinkHost = "okta.pagination.foreign_host"
            case paginationLoop = "okta.pagination.loop"
            case pageCapReached = "okta.pagination.page_cap"
            case invalidLink = "okta.pagination.invalid_link"
            case decoding = "okta.decoding"
            case unexpectedStatus = "okta.unexpected_status"
            case retryBudgetExhausted = "okta.retry_budget_exhausted"
            case oidcDiscovery = "okta.oidc.discovery"
            case oidcTokenExchange = "okta.oidc.token_exchange"
            case oidcAuthorizationDenied = "okta.oidc.authorization_denied"
            case oidcInvalidResponse = "okta.oidc.invalid_response"
            case idTokenRejected = "okta.oidc.id_token_rejected"
        }

        fileprivate let value: Value
        fileprivate init(_ value: Value) { self.value = value }

        /// The domain the administrator typed is malformed (see ``OktaError/detail``).
        public static let invalidDomain = Code(.invalidDomain)
        /// A development endpoint (plain HTTP, loopback) was given but the override is not enabled.
        public static let developmentEndpointRefused = Code(.developmentEndpointRefused)
        /// 401 E0000011: the API token is invalid, revoked, expired or its admin was deactivated.
        public static let invalidToken = Code(.invalidToken)
        /// 403 E0000005: the `Authorization` header was missing or malformed.
        public static let invalidSession = Code(.invalidSession)
        /// 403 E0000006: the token's admin lacks the permission.
        public static let insufficientPermissions = Code(.insufficientPermissions)
        /// 401 E0000015: the org is not licensed for the feature.
        public static let featureNotAvailable = Code(.featureNotAvailable)
        /// 404 with a JSON body (E0000007: the resource does not exist).
        public static let notFound = Code(.notFound)
        /// 429 (E0000047) and the retry policy gave up; ``OktaError/resetAt`` says when the window resets.
        public static let rateLimited = Code(.rateLimited)
        /// 400 validation failure (E0000001, E0000003, E00000030, E0000031, …).
        public static let validation = Code(.validation)
        /// 400 E0000029/E0000054: the pagination cursor was refused.
        public static let invalidCursor = Code(.invalidCursor)
        /// 403 for a state reason (E0000038, E0000046, E0000056).
        public static let operationNotAllowed = Code(.operationNotAllowed)
        /// 5xx.
        public static let server = Code(.server)
        /// HTML or another non-JSON body where JSON was expected: the host is not an Okta org.
        public static let notAnOktaOrg = Code(.notAnOktaOrg)
        /// No response within the time limit.
        public static let timeout = Code(.timeout)
        /// The connection was refused or the host unreachable.
        public static let connectionFailed = Code(.connectionFailed)
        /// The host name did not resolve.
        public static let hostNotFound = Code(.hostNotFound)
        /// TLS handshake or certificate verification failed.
        public static let tls = Code(.tls)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// Another transport failure.
        public static let transport = Code(.transport)
        /// A pagination `next` link pointed at another host (DESIGN.md §7).
        public static let foreignLinkHost = Code(.foreignLinkHost)
        /// A pagination `next` link repeated a cursor already followed.
        public static let paginationLoop = Code(.paginationLoop)
        /// A walk exceeded the hard page cap.
        public static let pageCapReached = Code(.pageCapReached)
        /// A `Link` header was unusable (bad URL, another path).
        public static let invalidLink = Code(.invalidLink)
        /// A JSON body did not have the expected shape.
        public static let decoding = Code(.decoding)
        /// A status outside the classified set.
        public static let unexpectedStatus = Code(.unexpectedStatus)
        /// Retries would exceed the per-call time budget.
        public static let retryBudgetExhausted = Code(.retryBudgetExhausted)
        /// OpenID Connect discovery failed or reported an unexpected issuer.
        public static let oidcDiscovery = Code(.oidcDiscovery)
        /// The token endpoint refused the authorization code.
        public static let oidcTokenExchange = Code(.oidcTokenExchange)
        /// Okta redirected back with an `error` (e.g. the user is not assigned to the app).
        public static let oidcAuthorizationDenied = Code(.oidcAuthorizationDenied)
        /// The authorization response was unusable (missing code, wrong state, wrong `iss`).
        public static let oidcInvalidResponse = Code(.oidcInvalidResponse)
        /// The ID token failed verification (see ``OktaError/idTokenRejection``).
        public static let idTokenRejected = Code(.idTokenRejected)

        /// The stable identifier, for example `okta.invalid_token`.
        public var description: String { value.rawValue }

        /// Matches a thrown error against a code, so `catch OktaError.Code.notFound` works.
        public static func ~= (code: Code, error: any Error) -> Bool {
            (error as? OktaError)?.code == code
        }
    }

    /// Why an ID token was rejected.
    public enum IDTokenRejection: String, Sendable, Hashable {
        case malformed = "malformed"
        case unsupportedAlgorithm = "unsupported_algorithm"
        case unknownKey = "unknown_key"
        case badSignature = "bad_signature"
        case wrongIssuer = "wrong_issuer"
        case wrongAudience = "wrong_audience"
        case wrongAuthorizedParty = "wrong_authorized_party"
        case expired = "expired"
        case issuedInFuture = "issued_in_future"
        case wrongNonce = "wrong_nonce"
        case staleAuthentication = "stale_authentication"
    }

    /// What went wrong.
    public let code: Code
    /// The HTTP status, when a response arrived.
    public var status: Int?
    /// Okta's `errorCode` (or an OAuth `error`), when the body carried one.
    public var errorCode: String?
    /// Okta's `errorId`, for Okta support.
    public var errorID: String?
    /// `errorCauses[].errorSummary` of a validation error.
    public var causes: [String]
    /// When a rate-limit window resets (server time), for ``Code/rateLimited``.
    public var resetAt: Date?
    /// Rate-limit headers of the failed response, for pacing.
    public var rateLimit: OktaRateLimitStatus?
    /// The server's `Date` of the failed response.
    public var serverDate: Date?
    /// The reason for ``Code/idTokenRejected``.
    public var idTokenRejection: IDTokenRejection?
    /// Internal context for logs (never secrets).
    public var detail: String

    /// Creates an error.
    public init(
        _ code: Code, detail: String = "", status: Int? = nil, errorCode: String? = nil, errorID: String? = nil,
        causes: [String] = [], resetAt: Date? = nil, rateLimit: OktaRateLimitStatus? = nil, serverDate: Date? = nil,
        idTokenRejection: IDTokenRejection? = nil
    ) {
        self.code = code
        self.detail = detail
        self.status = status
        self.errorCode = errorCode
        self.errorID = errorID
        self.causes = causes
        self.resetAt = resetAt
        self.rateLimit = rateLimit
        self.serverDate = serverDate
        self.idTokenRejection = idTokenRejection
    }

    /// An ID-token rejection.
    static func idToken(_ reason: IDTokenRejection, _ detail: String) -> OktaError {
        OktaError(.idTokenRejected, detail: detail, idTokenRejection: reason)
    }

    /// Whether this is Okta's definite "this object does not exist" (404 E0000007) — the only answer
    /// that lets a lookup return `nil` (DESIGN.md §6).
    public var isResourceNotFound: Bool { code == .notFound && errorCode == "E0000007" }

    public var description: String {
        var parts = ["OktaError(\(code))"]
        if let status { parts.append("status \(status)") }
        if let errorCode { parts.append(errorCode) }
        if let errorID { parts.append("errorId \(errorID)") }
        if let idTokenRejection { parts.append(idTokenRejection.rawValue) }
        if !detail.isEmpty { parts.append(detail) }
        return parts.joined(separator: " ")
    }
}
