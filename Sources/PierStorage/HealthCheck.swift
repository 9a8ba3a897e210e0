/// A cheap probe that the database answers, for `/readyz`.
public protocol HealthCheck: Sendable {
    /// Runs a trivial query.
    ///
    /// - Throws: ``StorageError`` when the database does not answer.
    func ping() async throws
}
