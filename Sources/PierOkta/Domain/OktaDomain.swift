/// Normalises and validates what an administrator types as the "Okta domain" (DESIGN.md §1.1,
/// REFERENCE §1.1).
///
/// ```swift
/// let domain = try OktaDomain(parsing: " https://ACME-admin.okta.com/admin/dashboard ")
/// domain.host        // "acme.okta.com"
/// domain.notes       // [.adminHostCorrected(from: "acme-admin.okta.com", to: "acme.okta.com")]
/// ```
public struct OktaDomain: Sendable, Hashable {
    /// What kind of host the domain is.
    public enum Kind: Sendable, Hashable {
        /// A host under one of Okta's own domains (`okta.com`, `oktapreview.com`, …).
        case okta(suffix: String)
        /// A customer's custom domain (identified through `/.well-known/okta-organization`).
        case custom
        /// A development endpoint (the simulator on loopback), allowed only with the override.
        case development
    }

    /// Something the normaliser changed that the administrator should be told about.
    public enum Note: Sendable, Hashable, CustomStringConvertible {
        /// An Admin Console host was replaced by the org host.
        case adminHostCorrected(from: String, to: String)

        public var description: String {
            switch self {
            case .adminHostCorrected(let from, let to):
                "\(from) is the Admin Console address of your org; Pier uses the org address \(to) instead "
                    + "(sign-in for self-enrollment only works there)."
            }
        }
    }

    /// Okta's own parent domains (REFERENCE §1.1).
    public static let oktaSuffixes = ["okta.com", "oktapreview.com", "okta-emea.com", "okta-gov.com", "okta.mil"]

    /// The normalised host (lower case, no scheme, port, path or trailing dot).
    public let host: String
    /// The kind of host.
    public let kind: Kind
    /// Corrections made, to show the administrator.
    public let notes: [Note]
    /// Where to send traffic.
    public let endpoint: OktaEndpoint

    /// Normalises `input`.
    ///
    /// - Parameters:
    ///   - input: What the administrator typed: a host, optionally with scheme, path, trailing slash.
    ///   - allowDevelopmentEndpoint: Accept `http://127.0.0.1:PORT` / `http://localhost:PORT` (the
    ///     simulator) and IP literals. Off in production.
    /// - Throws: ``OktaError/Code/invalidDomain`` with a specific ``OktaError/detail``, or
    ///   ``OktaError/Code/developmentEndpointRefused``.
    public init(parsing input: String, allowDevelopmentEndpoint: Bool = false) throws {
        func invalid(_ why: String) -> OktaError { OktaError(.invalidDomain, detail: why) }
        var text = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw invalid("the domain is empty") }
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else {
            throw invalid("it contains spaces")
        }
        text = text.lowercased()

        var scheme: String?
        if let range = text.range(of: "://") {
            scheme = String(text[..<range.lowerBound])
            text = String(text[range.upperBound...])
            guard scheme == "https" || scheme == "http" else { throw invalid("unsupported scheme \"\(scheme!)\"") }
        }
        if text.hasPrefix("http:") || text.hasPrefix("https:") || text.contains("://") {
            throw invalid("it contains the scheme twice")
        }
        if let cut = text.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            text = String(text[..<cut])
        }
        guard !text.contains("@") else { throw invalid("it must not contain a user name") }

        var port: Int?
        var hostPart = text
        if hostPart.hasPrefix("[") {
            // IPv6 literal.
            guard let close = hostPart.firstIndex(of: "]") else { throw invalid("unbalanced brackets") }
            let rest = hostPart[hostPart.index(after: close)...]
            if rest.hasPrefix(":") { port = Int(rest.dropFirst()) ; guard port != nil else { throw invalid("invalid port") } }
            else if !rest.isEmpty { throw invalid("invalid characters after the address") }
            hostPart = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
        } else if let colon = hostPart.lastIndex(of: ":") {
            guard let value = Int(hostPart[hostPart.index(after: colon)...]), (1...65_535).contains(value) else {
                throw invalid("invalid port")
            }
            port = value
            hostPart = String(hostPart[..<colon])
        }
        while hostPart.hasSuffix(".") { hostPart.removeLast() }
        guard !hostPart.isEmpty else { throw invalid("the host name is missing") }

        let isIPLiteral = hostPart.contains(":") || Self.isIPv4(hostPart)
        let isLoopbackName = hostPart == "localhost"
        if isIPLiteral || isLoopbackName || scheme == "http" || (port != nil && port != 443) {
            guard allowDevelopmentEndpoint else {
                if scheme == "http" && !isIPLiteral && !isLoopbackName {
                    throw invalid("Okta is only reachable over https")
                }
                if isIPLiteral { throw OktaError(.developmentEndpointRefused, detail: "IP address \(hostPart)") }
                throw OktaError(.developmentEndpointRefused, detail: "development endpoint \(hostPart)")
            }
            guard isIPLiteral || isLoopbackName else {
                throw invalid("a development endpoint must be a loopback address with a port")
            }
            self.host = hostPart
            self.kind = .development
            self.notes = []
            self.endpoint = OktaEndpoint(scheme: scheme ?? "http", host: hostPart, port: port)
            return
        }

        let labels = hostPart.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard labels.count >= 2 else { throw invalid("\"\(hostPart)\" is not a full domain name") }
        for label in labels {
            guard !label.isEmpty else { throw invalid("it contains an empty label (\"..\")") }
            guard label.count <= 63 else { throw invalid("a label is longer than 63 characters") }
            guard label.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
                throw invalid("it contains characters not allowed in a host name")
            }
            guard !label.hasPrefix("-"), !label.hasSuffix("-") else { throw invalid("a label starts or ends with \"-\"") }
        }
        if hostPart.hasSuffix(".com.com") { throw invalid("it ends in .com.com") }
        for suffix in Self.oktaSuffixes where hostPart.contains(".\(suffix).") {
            throw invalid("it continues after .\(suffix)")
        }

        var notes: [Note] = []
        var kind = Kind.custom
        if let suffix = Self.oktaSuffixes.first(where: { hostPart == $0 || hostPart.hasSuffix(".\($0)") }) {
            guard hostPart != suffix else { throw invalid("the org name before .\(suffix) is missing") }
            var subdomain = String(hostPart.dropLast(suffix.count + 1))
            guard !subdomain.contains(".") else {
                throw invalid("an Okta domain has exactly one name before .\(suffix)")
            }
            if subdomain.hasSuffix("-admin") {
                while subdomain.hasSuffix("-admin") { subdomain.removeLast("-admin".count) }
                guard !subdomain.isEmpty, !subdomain.hasSuffix("-") else {
                    throw invalid("the org name before -admin is missing")
                }
                let corrected = "\(subdomain).\(suffix)"
                notes.append(.adminHostCorrected(from: hostPart, to: corrected))
                hostPart = corrected
            }
            kind = .okta(suffix: suffix)
        }
        self.host = hostPart
        self.kind = kind
        self.notes = notes
        self.endpoint = .https(hostPart)
    }

    private static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
        }
    }
}

import Foundation
