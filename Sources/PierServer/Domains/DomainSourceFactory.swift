import Foundation
import PierCore
import PierCrypto
import PierHTTP
import PierLogging
import PierOkta
import PierStorage

/// Turns a stored domain into a live ``DirectorySource`` (decrypting its token) and seals new tokens.
///
/// Tokens are sealed with AES-256-GCM under the server key with the associated data
/// `"{domain id}|{org host}"` (DESIGN.md §7), so a ciphertext copied to another row or host does not open.
struct DomainSourceFactory: Sendable {
    let key: SymmetricKey
    let httpClient: any HTTPClient
    let logger: Logger

    static let userAgent = "Pier/\(PierVersion.current)"

    static func associatedData(id: DirectoryID, orgHost: String) -> Data {
        Data("\(id.rawValue)|\(orgHost)".utf8)
    }

    func seal(_ token: OktaAPIToken, id: DirectoryID, orgHost: String) throws -> [UInt8] {
        [UInt8](try AESGCM.seal(Data(token.value.utf8), using: key, associatedData: Self.associatedData(id: id, orgHost: orgHost)))
    }

    func token(of record: DirectoryRecord) throws -> OktaAPIToken {
        let plaintext = try AESGCM.open(
            record.apiTokenCiphertext, using: key, associatedData: Self.associatedData(id: record.id, orgHost: record.orgHost))
        return OktaAPIToken(String(decoding: plaintext, as: UTF8.self))
    }

    /// Where a stored domain's traffic goes: its creation-time development endpoint, else its org host.
    static func endpoint(of record: DirectoryRecord) throws -> OktaEndpoint {
        if let endpoint = record.endpoint {
            return try OktaDomain(parsing: endpoint, allowDevelopmentEndpoint: true).endpoint
        }
        return .https(record.orgHost)
    }

    /// A client with the token, without retries (the token check reports 429 and 5xx at once).
    func directClient(endpoint: OktaEndpoint, token: OktaAPIToken) -> HTTPOktaClient {
        HTTPOktaClient(endpoint: endpoint, token: token, httpClient: httpClient, userAgent: Self.userAgent, logger: logger)
    }

    /// The sync engine's source for a stored domain: pacing and retries included.
    func makeSource(_ record: DirectoryRecord) throws -> any DirectorySource {
        let endpoint = try Self.endpoint(of: record)
        let client = RetryingOktaClient(next: directClient(endpoint: endpoint, token: try token(of: record)), clock: ContinuousClock())
        return OktaDirectorySource(client: client, endpoint: endpoint)
    }
}
