import Synchronization

/// A walk over a directory listing, one page at a time, as an `AsyncSequence`.
///
/// Pages are fetched on demand (the consumer's `next()` triggers the request), so memory stays bounded
/// by one page. Each `makeAsyncIterator()` starts a fresh walk from the first page, which is how a
/// consumer restarts a walk after an invalid cursor. The sequence ends after the page whose
/// ``DirectoryPage/isLast`` is `true`; any failure is thrown from `next()`.
///
/// ```swift
/// for try await page in source.users() {
///     try await staging.insert(page.items)
///     if page.isLast { complete = true }
/// }
/// ```
public struct DirectoryPages<Item: Sendable>: AsyncSequence, Sendable {
    public typealias Element = DirectoryPage<Item>

    /// Produces the next page of one walk, or `nil` when the walk is over.
    public typealias NextPage = @Sendable () async throws -> DirectoryPage<Item>?

    private let makeWalk: @Sendable () -> NextPage

    /// Creates a sequence; `makeWalk` is called once per iteration and returns that walk's page fetcher.
    public init(makeWalk: @escaping @Sendable () -> NextPage) {
        self.makeWalk = makeWalk
    }

    /// A sequence of the given pages (for tests and in-memory sources); the last one is marked as last.
    public init(pages: [[Item]]) {
        let all = pages.isEmpty ? [[]] : pages
        self.makeWalk = {
            let index = IndexBox()
            return {
                guard let number = index.advance(limit: all.count) else { return nil }
                return DirectoryPage(items: all[number - 1], number: number, isLast: number == all.count)
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(nextPage: makeWalk())
    }

    /// Iterates one walk.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let nextPage: NextPage
        private var finished = false

        init(nextPage: @escaping NextPage) {
            self.nextPage = nextPage
        }

        public mutating func next() async throws -> DirectoryPage<Item>? {
            guard !finished else { return nil }
            do {
                guard let page = try await nextPage() else {
                    finished = true
                    return nil
                }
                if page.isLast { finished = true }
                return page
            } catch {
                finished = true
                throw error
            }
        }
    }
}

/// A thread-safe page counter for ``DirectoryPages/init(pages:)``.
private final class IndexBox: Sendable {
    private let value = Mutex(0)

    func advance(limit: Int) -> Int? {
        value.withLock { value in
            guard value < limit else { return nil }
            value += 1
            return value
        }
    }
}
