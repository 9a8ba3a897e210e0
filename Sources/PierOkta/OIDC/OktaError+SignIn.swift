extension OktaError {
    /// Text for the person signing in on the enrollment page (no internals, no advice meant for admins).
    /// ``explanation`` remains the administrator's text.
    public var signInMessage: String {
        switch code {
        case .oidcAuthorizationDenied where errorCode == "access_denied":
            "Okta did not let you sign in to Pier: your account is not assigned to Pier's app in Okta. Ask your "
                + "IT administrator to assign you, or use open enrollment if your organization offers it."
        case .oidcAuthorizationDenied:
            "Okta could not complete the sign-in. Start the enrollment again."
        case .oidcInvalidResponse, .oidcTokenExchange:
            "This sign-in link has expired or was already used. Start the enrollment again."
        case .idTokenRejected where idTokenRejection == .staleAuthentication:
            "Okta did not ask you to sign in again. Close the browser window, start the enrollment again and "
                + "sign in with your own account."
        case .idTokenRejected:
            "The sign-in could not be verified. Start the enrollment again."
        case .timeout, .connectionFailed, .hostNotFound, .tls, .transport, .server, .rateLimited, .retryBudgetExhausted:
            "Pier could not reach Okta right now. Try again in a few minutes."
        default:
            "The sign-in with Okta failed. Start the enrollment again, or contact your IT administrator."
        }
    }
}
