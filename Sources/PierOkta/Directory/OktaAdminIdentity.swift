public import PierCore

/// Who an API token acts as: the admin who created it (`GET /api/v1/users/me`).
public struct OktaAdminIdentity: Sendable, Hashable {
    /// The admin's Okta user id.
    public var userID: OktaUserID
    /// The admin's login.
    public var login: String
    /// The admin's display name (first and last name, or the login).
    public var displayName: String
}

extension OktaAPI {
    /// The token check for domain set-up: one cheap read-only call that returns the token's admin, or
    /// throws the classified ``OktaError`` (invalid token, no permission, not an Okta org, network, rate
    /// limited).
    public func currentAdmin() async throws -> OktaAdminIdentity {
        let response = try await send(OktaRequest(path: "/api/v1/users/me"))
        let user = try OktaDirectorySource.decode(OktaUser.self, from: response.body).directoryUser
        let name = [user.firstName, user.lastName].compactMap { $0 }.joined(separator: " ")
        return OktaAdminIdentity(userID: user.id, login: user.login, displayName: name.isEmpty ? user.login : name)
    }
}
