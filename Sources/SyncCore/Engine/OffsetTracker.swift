/// The offsets of one partition between "fetched" and "committed".
///
/// Records finish in any order (different keys run concurrently), but a committed offset
/// promises that everything before it is done. So the committable offset is the first record
/// still pending, or one past the last record fetched when none is. Offsets may have gaps
/// (compaction, transaction markers): only offsets actually fetched are tracked.
public struct OffsetTracker: Sendable {
    private var offsets: [Int64] = []  // fetched, in fetch (= offset) order
    private var done: [Bool] = []
    /// When each was fetched (the caller's clock, nanoseconds), for the age of the oldest pending.
    private var fetchedAt: [UInt64] = []
    private var head = 0  // index of the first not-yet-released entry
    private var lastFetched: Int64?
    /// The offset the group last committed for this partition (or started from).
    public private(set) var committed: Int64?

    public init(committed: Int64? = nil) {
        self.committed = committed
    }

    /// Records that `offset` was fetched and is now in progress.
    public mutating func fetched(_ offset: Int64, at nanoseconds: UInt64 = 0) {
        if let last = lastFetched, offset <= last { return }  // a redelivery after a seek: already tracked
        offsets.append(offset)
        done.append(false)
        fetchedAt.append(nanoseconds)
        lastFetched = offset
    }

    /// Marks `offset` done (applied, skipped or dead-lettered).
    public mutating func finished(_ offset: Int64) {
        // Entries are sorted: binary search from the head.
        var low = head
        var high = offsets.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if offsets[mid] == offset {
                done[mid] = true
                break
            }
            if offsets[mid] < offset { low = mid + 1 } else { high = mid - 1 }
        }
        while head < offsets.count && done[head] { head += 1 }
        if head > 1024 && head * 2 > offsets.count {
            offsets.removeFirst(head)
            done.removeFirst(head)
            fetchedAt.removeFirst(head)
            head = 0
        }
    }

    /// When the oldest record not done yet was fetched (as given to `fetched`), `nil` when none.
    public var oldestPendingFetchedAt: UInt64? { head < offsets.count ? fetchedAt[head] : nil }

    /// How many fetched records are not done yet.
    public var pending: Int { done[head...].lazy.filter { !$0 }.count }

    /// The offset to commit (the next one to read), or `nil` when nothing new is done.
    public var committable: Int64? {
        let next: Int64? = head < offsets.count ? offsets[head] : lastFetched.map { $0 + 1 }
        guard let next, next > (committed ?? Int64.min) else { return nil }
        return next
    }

    /// Offsets past the committable one that are done already (finished out of order behind a
    /// record still pending), in order: what a commit's metadata tells the partition's next
    /// owner, so it does not do them again (`DoneOffsets`).
    public var doneBeyondCommittable: [Int64] {
        guard head < offsets.count else { return [] }
        return (head + 1..<offsets.count).compactMap { done[$0] ? offsets[$0] : nil }
    }

    /// Call after a successful commit of `offset`.
    public mutating func didCommit(_ offset: Int64) {
        committed = max(committed ?? offset, offset)
    }
}
