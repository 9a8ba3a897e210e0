import Foundation
import PierHTTP

extension OktaError {
    /// Classifies a non-2xx response by status and `errorCode` only (never by message text).
    ///
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - headers: The response headers (for `Content-Type`, rate limits, `Date`).
    ///   - body: The response body.
    static func classify(status: Int, headers: [(name: String, value: String)], body: Data) -> OktaError {
        let rateLimit = OktaRateLimitStatus(headers: headers)
        let serverDate = headers.first { $0.name.lowercased() == "date" }.flatMap { HTTPDate.parse($0.value) }
        let isJSON = isJSONContentType(headers)
        let envelope = isJSON ? try? JSONDecoder().decode(OktaErrorBody.self, from: body) : nil
        let errorCode = envelope?.errorCode ?? envelope?.error
        func make(_ code: Code) -> OktaError {
            OktaError(
                code, detail: "HTTP \(status)", status: status, errorCode: errorCode, errorID: envelope?.errorId,
                causes: envelope?.errorCauses?.compactMap(\.errorSummary) ?? [],
                resetAt: status == 429 ? rateLimit?.reset : nil, rateLimit: rateLimit, serverDate: serverDate)
        }
        if status == 429 { return make(.rateLimited) }
        if (500...599).contains(status) { return make(.server) }
        // Everything below must be Okta's JSON envelope; HTML (a wrong host's error page) is not an org.
        guard envelope != nil else {
            if status == 404 || !isJSON { return make(.notAnOktaOrg) }
            return make(.unexpectedStatus)
        }
        switch (status, errorCode) {
        case (401, "E0000015"): return make(.featureNotAvailable)
        case (401, _): return make(.invalidToken)
        case (403, "E0000005"): return make(.invalidSession)
        case (403, "E0000038"), (403, "E0000046"), (403, "E0000056"): return make(.operationNotAllowed)
        case (403, _): return make(.insufficientPermissions)
        case (404, "E0000022"): return make(.unexpectedStatus)
        case (404, _): return make(.notFound)
        case (400, "E0000029"), (400, "E0000054"): return make(.invalidCursor)
        case (400, _), (422, _), (409, _): return make(.validation)
        default: return make(.unexpectedStatus)
        }
    }

    /// Maps a transport failure of the HTTP client.
    static func transport(_ error: any Error) -> OktaError {
        guard let error = error as? HTTPClientError else {
            if error is CancellationError { return OktaError(.cancelled, detail: "task cancelled") }
            return OktaError(.transport, detail: String(describing: type(of: error)))
        }
        // The code only: curl messages can echo URLs, and the code is what classification uses.
        let code: Code =
            switch error.code {
            case .timeout: .timeout
            case .connectionRefused: .connectionFailed
            case .couldNotResolve: .hostNotFound
            case .tls: .tls
            case .cancelled: .cancelled
            default: .transport
            }
        return OktaError(code, detail: error.code.description)
    }

    /// Whether `Content-Type` is `application/json` (with or without parameters).
    static func isJSONContentType(_ headers: [(name: String, value: String)]) -> Bool {
        guard let value = headers.first(where: { $0.name.lowercased() == "content-type" })?.value else { return false }
        let mediaType = value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return mediaType == "application/json" || (mediaType?.hasSuffix("+json") ?? false)
    }
}
