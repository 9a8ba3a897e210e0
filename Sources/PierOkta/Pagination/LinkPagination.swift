import Foundation

/// The rules for following Okta's `next` links safely (REFERENCE §2.3, DESIGN.md §7).
enum LinkPagination {
    /// Re-bases a `next` link onto the configured endpoint and returns the path and query to request.
    ///
    /// - Parameters:
    ///   - link: The link target (absolute, as Okta sends it, or a relative path).
    ///   - endpoint: The configured org endpoint; the link's host must be its host or one of its
    ///     alternate hosts. The token never follows a link to another host.
    ///   - expectedPath: The path of the walk; a link to another path is refused.
    static func rebase(_ link: String, onto endpoint: OktaEndpoint, expectedPath: String) throws -> String {
        let pathAndQuery: String
        if link.hasPrefix("/") && !link.hasPrefix("//") {
            pathAndQuery = link
        } else {
            guard let components = URLComponents(string: link), let scheme = components.scheme?.lowercased(),
                scheme == "https" || scheme == "http", let host = components.host?.lowercased(), !host.isEmpty
            else { throw OktaError(.invalidLink, detail: "unparseable next link") }
            guard host == endpoint.host || endpoint.alternateHosts.contains(host) else {
                throw OktaError(.foreignLinkHost, detail: "next link points at \(host), not \(endpoint.host)")
            }
            guard components.user == nil, components.password == nil else {
                throw OktaError(.invalidLink, detail: "next link carries credentials")
            }
            let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
            pathAndQuery = path + (components.percentEncodedQuery.map { "?\($0)" } ?? "")
        }
        let path = String(pathAndQuery[..<(pathAndQuery.firstIndex(of: "?") ?? pathAndQuery.endIndex)])
        guard path == expectedPath else {
            throw OktaError(.invalidLink, detail: "next link leaves \(expectedPath)")
        }
        return pathAndQuery
    }
}
