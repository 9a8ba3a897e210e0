public import Foundation
public import PierHTTP
public import PierLogging

/// Runs the HTTP server as a ``Service``: listens on start, and on graceful shutdown stops accepting,
/// lets in-flight requests finish (up to the server's grace period), then returns.
public struct HTTPServerService: Service {
    public let server: HTTPServer
    let publicURL: URL
    let logger: Logger

    public init(server: HTTPServer, publicURL: URL, logger: Logger) {
        self.server = server
        self.publicURL = publicURL
        self.logger = logger
    }

    public func run() async throws {
        let port = try server.start()
        let host = server.configuration.host
        logger.notice("Pier is listening", metadata: [
            "http.listen": host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)",
            "http.public_url": publicURL.absoluteString,
        ])
        await waitForGracefulShutdown()
        logger.info("Draining in-flight requests", metadata: ["http.in_flight": "\(server.inFlightRequestCount)"])
        await server.shutdown()
    }
}
