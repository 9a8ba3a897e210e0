/// Where Pier sends an org's traffic: the canonical org host over HTTPS, or — only with the development
/// override — a loopback simulator over plain HTTP.
public struct OktaEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `https`, or `http` for a development endpoint.
    public let scheme: String
    /// Lower-case host name (or loopback address).
    public let host: String
    /// An explicit port, or `nil` for the scheme's default.
    public let port: Int?
    /// Other hosts whose pagination links are accepted (and re-based onto ``host``): the org's custom
    /// domain or canonical host from org identification. Links to any other host are refused.
    public let alternateHosts: Set<String>

    /// Creates an endpoint.
    public init(scheme: String = "https", host: String, port: Int? = nil, alternateHosts: Set<String> = []) {
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.alternateHosts = Set(alternateHosts.map { $0.lowercased() })
    }

    /// The org's HTTPS endpoint.
    public static func https(_ host: String) -> OktaEndpoint { OktaEndpoint(host: host) }

    /// `https://acme.okta.com` or `http://127.0.0.1:8080`, without a trailing slash.
    public var baseURL: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(hostPart)" + (port.map { ":\($0)" } ?? "")
    }

    /// Whether this is a development (plain-HTTP loopback) endpoint.
    public var isDevelopment: Bool { scheme == "http" }

    /// A copy that also accepts links to `hosts`.
    public func accepting(linkHosts hosts: some Sequence<String>) -> OktaEndpoint {
        OktaEndpoint(scheme: scheme, host: host, port: port, alternateHosts: alternateHosts.union(hosts.map { $0.lowercased() }))
    }

    public var description: String { baseURL }
}
