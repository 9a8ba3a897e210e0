/// One page of a directory walk.
public struct DirectoryPage<Item: Sendable>: Sendable {
    /// The items of this page, in the source's order (possibly empty: empty pages are legal).
    public var items: [Item]
    /// 1 for the first page of a walk.
    public var number: Int
    /// The explicit end-of-walk marker: `true` only on the last page of a walk that completed. A walk
    /// that fails throws instead, so a consumer that never saw `isLast == true` must treat its listing
    /// as incomplete (DESIGN.md §6: an incomplete listing never causes removals).
    public var isLast: Bool

    /// Creates a page.
    public init(items: [Item], number: Int, isLast: Bool) {
        self.items = items
        self.number = number
        self.isLast = isLast
    }
}
