import Foundation
import PierCore

/// Options for one paginated walk.
public struct OktaWalkOptions: Sendable, Hashable {
    /// The hard cap on pages; reaching it fails the walk (never a silently short list).
    public var pageCap: Int
    /// System Log polling answers always carry `next`; with this set, an empty page whose `next` repeats
    /// the URL just fetched ends the walk normally instead of failing.
    public var endOnRepeatedNextAfterEmptyPage: Bool

    /// Creates options.
    public init(pageCap: Int = 10_000, endOnRepeatedNextAfterEmptyPage: Bool = false) {
        self.pageCap = pageCap
        self.endOnRepeatedNextAfterEmptyPage = endOnRepeatedNextAfterEmptyPage
    }
}

/// One walk over a paginated listing: follows `Link: rel="next"`, re-based onto the endpoint, with the
/// page cap and a loop guard (a cursor seen twice is an error, not an endless walk).
actor OktaPageWalk<Item: Sendable> {
    private let api: any OktaAPI
    private let endpoint: OktaEndpoint
    private let path: String
    private let options: OktaWalkOptions
    private let decode: @Sendable (Data) throws -> [Item]
    private let onResponse: @Sendable (OktaResponse) -> Void
    private var nextPathAndQuery: String?
    private var seen: Set<String> = []
    private var pageNumber = 0

    init(
        api: any OktaAPI, endpoint: OktaEndpoint, first: OktaRequest, options: OktaWalkOptions,
        decode: @escaping @Sendable (Data) throws -> [Item], onResponse: @escaping @Sendable (OktaResponse) -> Void = { _ in }
    ) {
        self.api = api
        self.endpoint = endpoint
        self.path = first.path
        self.options = options
        self.decode = decode
        self.onResponse = onResponse
        self.nextPathAndQuery = first.pathAndQuery
    }

    func nextPage() async throws -> DirectoryPage<Item>? {
        guard let current = nextPathAndQuery else { return nil }
        try Task.checkCancellation()
        guard pageNumber < options.pageCap else {
            throw OktaError(.pageCapReached, detail: "more than \(options.pageCap) pages at \(path)")
        }
        seen.insert(current)
        let response = try await api.send(OktaRequest(pathAndQuery: current))
        onResponse(response)
        let items: [Item]
        do {
            items = try decode(response.body)
        } catch let error as OktaError {
            throw error
        } catch {
            throw OktaError(.decoding, detail: "page \(pageNumber + 1) of \(path): \(error)")
        }
        pageNumber += 1
        if let link = LinkHeader.next(in: response.headers(named: "link")) {
            let next = try LinkPagination.rebase(link, onto: endpoint, expectedPath: path)
            if seen.contains(next) {
                if options.endOnRepeatedNextAfterEmptyPage && items.isEmpty && next == current {
                    nextPathAndQuery = nil
                    return DirectoryPage(items: items, number: pageNumber, isLast: true)
                }
                throw OktaError(.paginationLoop, detail: "next link repeats a cursor at \(path) (page \(pageNumber))")
            }
            nextPathAndQuery = next
            return DirectoryPage(items: items, number: pageNumber, isLast: false)
        }
        nextPathAndQuery = nil
        return DirectoryPage(items: items, number: pageNumber, isLast: true)
    }
}

extension DirectoryPages {
    /// A page stream over an Okta listing; each iteration starts a fresh walk.
    static func okta(
        api: any OktaAPI, endpoint: OktaEndpoint, first: OktaRequest, options: OktaWalkOptions,
        decode: @escaping @Sendable (Data) throws -> [Item], onResponse: @escaping @Sendable (OktaResponse) -> Void = { _ in }
    ) -> DirectoryPages<Item> {
        DirectoryPages {
            let walk = OktaPageWalk(
                api: api, endpoint: endpoint, first: first, options: options, decode: decode, onResponse: onResponse)
            return { try await walk.nextPage() }
        }
    }
}
