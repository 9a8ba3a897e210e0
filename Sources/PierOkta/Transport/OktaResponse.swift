public import Foundation

/// A successful (2xx) management-API response.
public struct OktaResponse: Sendable {
    /// The status (200, 201, 204, …).
    public var status: Int
    /// Every header line, repeated names kept.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Values of every header line called `name`, case-insensitively.
    public func headers(named name: String) -> [String] {
        let lower = name.lowercased()
        return headers.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    /// The rate-limit headers.
    public var rateLimit: OktaRateLimitStatus? { OktaRateLimitStatus(headers: headers) }

    /// The server's `Date`.
    public var serverDate: Date? { headers(named: "date").first.flatMap(HTTPDate.parse) }
}
