public import Foundation
import PierCore
public import PierStorage
import PierCrypto

/// Creates API tokens and derives their stored hash (DESIGN.md §7: stored hashed, shown once).
///
/// A token is `pier_` followed by 256 random bits in base64url: the prefix makes a leaked token easy to
/// recognise (secret scanners, logs) and lets the middleware reject foreign strings without a lookup.
/// Only the SHA-256 of the whole token is stored; a high-entropy token needs no slow password hash,
/// and an exact hash lookup keeps the comparison out of Swift code entirely (nothing to time).
public struct APITokenIssuer: Sendable {
    /// The prefix of every Pier API token.
    public static let prefix = "pier_"

    let store: any APITokenStore
    let now: @Sendable () -> Date

    public init(store: any APITokenStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
    }

    /// A newly created token: the secret (shown once, never stored) and its record.
    public struct Issued: Sendable {
        public var token: String
        public var record: APITokenRecord
    }

    /// Creates and stores a token named `name`.
    ///
    /// - Throws: ``APITokenNameError`` for an empty or overlong name; storage errors.
    public func create(name: String) async throws -> Issued {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APITokenNameError()
        }
        let token = Self.prefix + (try SecureRandom.urlSafeToken(byteCount: 32))
        let record = APITokenRecord(
            id: APITokenID(rawValue: UUID().uuidString.lowercased()), name: name, tokenHash: Self.hash(token), createdAt: now()
        )
        try await store.createAPIToken(record)
        return Issued(token: token, record: record)
    }

    /// The stored form of a token: lowercase hex SHA-256 of its UTF-8 bytes.
    public static func hash(_ token: String) -> String {
        PierCrypto.SHA256.hexHash(Data(token.utf8))
    }

    /// Whether `text` has the shape of a Pier token (prefix and base64url characters of the right length).
    public static func isWellFormed(_ text: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let body = text.utf8.dropFirst(prefix.utf8.count)
        return body.count == 43 && body.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
        }
    }
}

/// A token name that is empty, longer than 100 characters or contains control characters.
public struct APITokenNameError: Error, CustomStringConvertible {
    public var description: String { "the token name must be 1 to 100 characters without control characters" }
}
