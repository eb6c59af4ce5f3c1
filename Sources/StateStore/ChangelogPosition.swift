/// How far a store may checkpoint while the worker's own writes to the versions topic are in
/// flight.
///
/// A version reaches the store only after the topic acknowledged it, and acknowledgements of
/// concurrent lanes arrive in any order: the store may hold offset 12 while 11 is still on its
/// way. A checkpoint past 11 would lose it at the next restart, so each write in flight holds
/// the checkpoint back to the lowest offset it can get: the position when it started (the topic
/// gives it an offset at or past every offset already in the store). Reading the tail from
/// there may read some records twice; applying a record again changes nothing.
public struct ChangelogPosition: Sendable, Equatable {
    /// One past the highest offset in the store.
    private var next: Int64?
    private var floors: [Int: Int64?] = [:]
    private var lastToken = 0

    /// `restored`: the store's checkpoint after its restore (`nil`: nothing read yet).
    public init(restored: Int64?) {
        next = restored
    }

    /// A write to the topic starts; pass the token to `stored` or `abandoned`.
    public mutating func writing() -> Int {
        lastToken += 1
        floors[lastToken] = next
        return lastToken
    }

    /// The write's record is in the store at `offset`.
    public mutating func stored(_ token: Int, offset: Int64) {
        floors[token] = nil
        next = max(next ?? 0, offset + 1)
    }

    /// The write did not happen (shutdown, refused): it holds nothing back any more.
    public mutating func abandoned(_ token: Int) {
        floors[token] = nil
    }

    /// The offset the store may record as its checkpoint now; `nil` when nothing is certain.
    public var checkpoint: Int64? {
        var lowest = next
        for floor in floors.values {
            guard let floor else { return nil }
            lowest = min(lowest ?? floor, floor)
        }
        return lowest
    }
}
