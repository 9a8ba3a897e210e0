/// What a directory source has cost so far, for the sync run record.
public struct DirectoryRequestCounters: Hashable, Sendable, Codable {
    /// Requests sent (retries included).
    public var requests: Int
    /// Requests that were retries of an earlier attempt.
    public var retries: Int
    /// Responses with status 429.
    public var rateLimited: Int
    /// Total time spent waiting (pacing, 429 resets, backoff), in seconds.
    public var secondsWaited: Double

    /// Creates counters.
    public init(requests: Int = 0, retries: Int = 0, rateLimited: Int = 0, secondsWaited: Double = 0) {
        self.requests = requests
        self.retries = retries
        self.rateLimited = rateLimited
        self.secondsWaited = secondsWaited
    }
}
