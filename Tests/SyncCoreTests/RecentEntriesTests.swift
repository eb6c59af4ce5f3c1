import SyncCore
import Testing

/// The bounded cache in front of the state stores and of the platform's contact UUIDs.
@Suite struct RecentEntriesTests {
    @Test func itHoldsAtMostItsCapacityWhateverIsInserted() {
        var cache = RecentEntries<Int>(capacity: 100)
        for n in 0..<10_000 { cache.insert("k\(n)", n) }
        #expect(cache.count <= 100)
        #expect(cache.value("k9999") == 9999, "the newest stays")
        #expect(cache.value("k0") == nil, "the oldest went")
    }

    @Test func anEntryUsedWithinHalfTheCapacityStays() {
        var cache = RecentEntries<Int>(capacity: 100)
        cache.insert("hot", 1)
        for n in 0..<1_000 {
            cache.insert("k\(n)", n)
            // Read every 40 insertions: within half the capacity (50), so it is never dropped.
            if n % 40 == 0 { #expect(cache.value("hot") == 1, "after \(n) insertions") }
        }
        cache.remove("hot")
        #expect(cache.value("hot") == nil)
    }
}
