public import PierCore

extension OktaError {
    /// The directory-source class of this error, for the sync engine.
    public var failure: DirectorySourceFailure {
        switch code {
        case .invalidToken, .invalidSession: .invalidToken
        case .insufficientPermissions, .featureNotAvailable, .operationNotAllowed: .insufficientPermissions
        case .notFound: .notFound
        case .rateLimited, .retryBudgetExhausted: .rateLimited
        case .validation: .validation
        case .invalidCursor: .invalidCursor
        case .server: .server
        case .notAnOktaOrg: .notAnOktaOrg
        case .timeout, .connectionFailed, .hostNotFound, .tls, .transport, .cancelled: .transport
        case .foreignLinkHost, .paginationLoop, .pageCapReached, .invalidLink: .pagination
        case .decoding: .decoding
        default: .other
        }
    }

    /// Plain-language text for an administrator: what happened and what to do about it.
    public var explanation: String {
        switch code {
        case .invalidDomain:
            "The Okta domain is not valid: \(detail). Enter your org's domain, for example acme.okta.com."
        case .developmentEndpointRefused:
            "Development endpoints (plain HTTP or local addresses) are disabled on this server. Enter your "
                + "org's Okta domain, or enable the development override for testing."
        case .invalidToken:
            "Okta rejected the API token: it is invalid, was revoked, expired after 30 days without use, or "
                + "the admin who created it was deactivated. Create a new token in the Okta Admin Console "
                + "(Security > API > Tokens) and enter it here."
        case .invalidSession:
            "Okta did not receive a usable API token. Paste the token value exactly as Okta showed it, "
                + "without a prefix such as \"SSWS\"."
        case .insufficientPermissions:
            "The API token works but its admin lacks the permission for this action. Create the token as an "
                + "admin with a role that can read users and groups (and manage apps for self-enrollment), "
                + "for example Read-Only Administrator plus Application Administrator, or Super Administrator."
        case .featureNotAvailable:
            "Your Okta org is not licensed for the feature this action needs. Contact your Okta representative."
        case .notFound:
            "Okta reports that the object does not exist (it may have been deleted)."
        case .rateLimited:
            "Okta's rate limit for this kind of request was reached and Pier stopped waiting. Pier will try "
                + "again later; if this keeps happening, another integration may be using most of your org's "
                + "rate limit, or lower the share Pier may use."
        case .retryBudgetExhausted:
            "Okta kept failing or limiting requests longer than Pier waits for one call. Try again later."
        case .validation:
            "Okta refused the request as invalid" + (causes.isEmpty ? "." : ": " + causes.joined(separator: "; ") + ".")
                + " If this persists, report it to Pier support with the Okta error id."
        case .invalidCursor:
            "Okta refused a pagination cursor; the listing will be restarted from the beginning."
        case .operationNotAllowed:
            "Okta does not allow this action on the object in its current state."
        case .server:
            "Okta had a temporary server problem (HTTP \(status.map(String.init) ?? "5xx")). Try again in a "
                + "few minutes; check status.okta.com if it persists."
        case .notAnOktaOrg:
            "The host answered, but not like an Okta org (it returned a web page instead of Okta's API). "
                + "Check the domain: it should be your org's Okta domain, e.g. acme.okta.com."
        case .timeout:
            "Okta did not answer in time. Check this server's network connection to Okta and try again."
        case .connectionFailed:
            "Pier could not connect to the Okta host. Check the domain and this server's network and firewall."
        case .hostNotFound:
            "The Okta domain does not exist (the name did not resolve). Check the spelling of the domain."
        case .tls:
            "A secure connection to Okta could not be established (TLS or certificate failure). Check for a "
                + "proxy intercepting HTTPS traffic and the server's trusted certificates."
        case .cancelled:
            "The request to Okta was cancelled."
        case .transport:
            "The connection to Okta failed. Check this server's network connection and try again."
        case .foreignLinkHost, .paginationLoop, .pageCapReached, .invalidLink:
            "Okta's listing could not be followed to the end (\(detail)). Nothing was removed; the sync will "
                + "try again. Report it to Pier support if it persists."
        case .decoding:
            "Okta's answer was not in the expected format. Report it to Pier support if it persists."
        case .unexpectedStatus:
            "Okta answered with an unexpected status (\(status.map(String.init) ?? "?"))."
        case .oidcDiscovery:
            "Okta's sign-in configuration for this org could not be read or did not match the org. Check the "
                + "domain and try again."
        case .oidcTokenExchange where errorCode == "invalid_client":
            "Okta rejected Pier's app credentials (client id or client secret) at the token endpoint: the app was "
                + "deleted or deactivated, or its secret was rotated. Reconfigure self-enrollment for this Okta domain."
        case .oidcTokenExchange:
            "Okta did not accept the sign-in: the code expired or the app's client credentials are wrong. "
                + "Start the enrollment again; if it keeps failing, reconfigure the Okta domain."
        case .oidcAuthorizationDenied:
            errorCode == "access_denied"
                ? "Okta refused the sign-in: the user may not be assigned to Pier's app in Okta. Ask an "
                    + "administrator to assign the user (or one of their groups) to the app."
                : "Okta refused the sign-in. Start the enrollment again."
        case .oidcInvalidResponse:
            "The sign-in response was not valid for this enrollment attempt. Start the enrollment again."
        case .idTokenRejected:
            "Okta's sign-in token failed verification, so the sign-in was refused. Start the enrollment again."
        default:
            "The request to Okta failed."
        }
    }
}
