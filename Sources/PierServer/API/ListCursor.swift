import Foundation
import PierCrypto
import PierHTTP
import PierStorage

/// The opaque `cursor` of a listing: a ``ListingPosition`` tagged with the listing it belongs to,
/// as base64url JSON. Clients must treat it as opaque (DESIGN.md §5); the tag stops a users cursor
/// from being replayed against groups.
struct ListCursor: Codable {
    /// Which listing (`users`, `groups`, `members`).
    var l: String
    /// The sort key of the last item.
    var k: String
    /// The id of the last item.
    var i: String

    static func encode(_ position: ListingPosition?, listing: String) -> String? {
        guard let position else { return nil }
        let cursor = ListCursor(l: listing, k: position.sortKey, i: position.id)
        guard let data = try? JSONEncoder().encode(cursor) else { return nil }
        return Base64URL.encode(Array(data))
    }

    static func decode(_ text: String, listing: String) -> ListingPosition? {
        guard text.count <= 2048, let bytes = try? Base64URL.decode(text),
              let cursor = try? JSONDecoder().decode(ListCursor.self, from: Data(bytes)), cursor.l == listing
        else { return nil }
        return ListingPosition(sortKey: cursor.k, id: cursor.i)
    }
}

/// Paging parameters shared by every listing: `cursor` and `limit` (1…200, default 50).
struct PageParameters {
    static let defaultLimit = 50
    static let maximumLimit = 200

    var after: ListingPosition?
    var limit: Int

    /// Reads `cursor` and `limit`, recording problems instead of throwing.
    init(_ request: Request, listing: String, problems: inout ValidationProblems) {
        limit = Self.defaultLimit
        if let raw = request.queryValue("limit") {
            if let value = Int(raw), (1...Self.maximumLimit).contains(value) {
                limit = value
            } else {
                problems.add("limit", "must be an integer from 1 to \(Self.maximumLimit)")
            }
        }
        if let raw = request.queryValue("cursor"), !raw.isEmpty {
            after = ListCursor.decode(raw, listing: listing)
            if after == nil { problems.add("cursor", "is not a cursor returned by this listing") }
        }
    }
}

extension Request {
    /// A non-empty query value, trimmed; nil when absent or blank.
    func nonBlankQueryValue(_ name: String) -> String? {
        guard let value = queryValue(name)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
