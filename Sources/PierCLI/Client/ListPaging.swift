import Foundation

/// `--limit`, `--cursor` and `--all` of the list commands, over the API's cursor paging
/// (`{"items": [...], "nextCursor": "…" | null}`, DESIGN.md §5).
///
/// Without `--all` a command prints one page; when more exist, table output says how to get the next
/// one (on standard error) and JSON output carries the `nextCursor`. With `--all` it follows
/// `nextCursor` to the end and prints one list whose `nextCursor` is null.
struct ListPaging: Sendable {
    static let options: [OptionSpec] = [
        .value("limit", "N", help: "Items per page, 1 to 200 (default 50; 200 with --all)", environment: .none),
        .value("cursor", "CURSOR", help: "Start at this page (the nextCursor of the previous one)", environment: .none),
        .flag("all", help: "Follow every page to the end", environment: .none),
    ]

    static let maximumLimit = 200

    var limit: Int?
    var cursor: String?
    var all: Bool

    init(_ options: ParsedOptions) throws {
        if let text = options.value("limit") {
            guard let value = Int(text), (1...Self.maximumLimit).contains(value) else {
                throw UsageError("--limit must be a whole number from 1 to \(Self.maximumLimit); got '\(text)'")
            }
            limit = value
        }
        cursor = options.value("cursor")
        all = options.flag("all")
        if all && cursor != nil { throw UsageError("give --cursor or --all, not both") }
    }

    /// A list as fetched: the document to print for `--output json`, its items, and the cursor of the
    /// next page (nil after the last page and always with `--all`).
    struct Listing {
        var document: JSON
        var items: [JSON]
        var nextCursor: String?
    }

    /// Fetches one page, or every page with `--all`.
    ///
    /// - Throws: ``ClientError`` from the API, or `.unexpectedResponse` for a body that is not a list
    ///   or a cursor that repeats (a server that would make `--all` loop forever).
    func fetch(_ api: APIClient, _ path: String, query: [(String, String?)] = []) async throws -> Listing {
        let limit = self.limit ?? (all ? Self.maximumLimit : nil)
        var cursor = self.cursor
        var items: [JSON] = []
        var seen: Set<String> = []
        while true {
            let page = try await api.get(path, query: query + [("limit", limit.map(String.init)), ("cursor", cursor)])
            guard let pageItems = page["items"]?.array else {
                throw ClientError(.unexpectedResponse, "\(api.server) answered GET \(path) without a list of items")
            }
            let next = page["nextCursor"]?.string
            guard all else { return Listing(document: page, items: pageItems, nextCursor: next) }
            items += pageItems
            guard let next else { break }
            guard seen.insert(next).inserted else {
                throw ClientError(.unexpectedResponse, "\(api.server) repeated a page cursor of GET \(path); stopped paging")
            }
            cursor = next
        }
        return Listing(document: .object(["items": .array(items), "nextCursor": .null]), items: items, nextCursor: nil)
    }

    /// Prints a listing: the table (or a note when it is empty) or the JSON document, and how to get
    /// the next page.
    static func print(_ listing: Listing, table: TextTable, empty: String, output: OutputFormat, context: CLIContext) {
        switch output {
        case .json:
            context.printJSON(listing.document)
        case .table:
            if listing.items.isEmpty && listing.nextCursor == nil {
                context.printError(empty)
                return
            }
            context.print(lines: table.lines)
            if let next = listing.nextCursor {
                context.printError("More results: add --cursor \(next) for the next page, or --all for every page.")
            }
        }
    }
}
