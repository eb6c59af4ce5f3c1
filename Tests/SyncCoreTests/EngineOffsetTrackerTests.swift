import PropertyBased
import Testing

@testable import SyncCore

@Suite struct EngineOffsetTrackerTests {
    @Test func nothingFetchedNothingToCommit() {
        #expect(OffsetTracker().committable == nil)
        #expect(OffsetTracker(committed: 7).committable == nil)
        #expect(OffsetTracker().pending == 0)
    }

    @Test func commitsUpToTheFirstPendingRecord() {
        var tracker = OffsetTracker()
        for offset in Int64(0)...4 { tracker.fetched(offset) }
        #expect(tracker.committable == nil || tracker.committable == 0)
        tracker.finished(2)
        tracker.finished(4)
        #expect(tracker.committable == 0)
        #expect(tracker.pending == 3)
        tracker.finished(0)
        #expect(tracker.committable == 1)
        tracker.finished(1)
        #expect(tracker.committable == 3)
        tracker.finished(3)
        #expect(tracker.committable == 5)
        #expect(tracker.pending == 0)
    }

    @Test func gapsInOffsetsAreSkipped() {
        var tracker = OffsetTracker()
        for offset: Int64 in [10, 11, 15, 40] { tracker.fetched(offset) }
        tracker.finished(10)
        tracker.finished(11)
        #expect(tracker.committable == 15)
        tracker.finished(40)
        #expect(tracker.committable == 15)
        tracker.finished(15)
        #expect(tracker.committable == 41)
    }

    @Test func aRedeliveryAfterASeekIsNotTrackedTwice() {
        var tracker = OffsetTracker()
        for offset in Int64(0)...2 { tracker.fetched(offset) }
        tracker.finished(0)
        tracker.fetched(1)  // seek back: 1 and 2 come again
        tracker.fetched(2)
        tracker.fetched(3)
        #expect(tracker.pending == 3)
        tracker.finished(1)
        tracker.finished(2)
        tracker.finished(3)
        #expect(tracker.committable == 4)
        #expect(tracker.pending == 0)
    }

    @Test func finishingAnUnknownOffsetChangesNothing() {
        var tracker = OffsetTracker()
        tracker.fetched(5)
        tracker.fetched(7)
        tracker.finished(6)
        tracker.finished(3)
        #expect(tracker.committable == 5)
        #expect(tracker.pending == 2)
    }

    @Test func aCommittedOffsetIsNotOfferedAgain() {
        var tracker = OffsetTracker(committed: 3)
        tracker.fetched(3)
        #expect(tracker.committable == nil)  // 3 is what the group already has
        tracker.finished(3)
        #expect(tracker.committable == 4)
        tracker.didCommit(4)
        #expect(tracker.committed == 4)
        #expect(tracker.committable == nil)
        tracker.didCommit(2)  // a late, older commit acknowledgement never moves it back
        #expect(tracker.committed == 4)
    }

    /// Past 1,024 released entries the tracker drops them: the answer must not move back.
    @Test func compactionKeepsTheCommittableOffset() {
        var tracker = OffsetTracker()
        for offset in Int64(0)..<3_000 { tracker.fetched(offset * 2) }
        for offset in Int64(0)..<3_000 {
            tracker.finished(offset * 2)
            #expect(tracker.committable == (offset == 2_999 ? 5_999 : offset * 2 + 2), "after finishing \(offset * 2)")
            #expect(tracker.pending == 2_999 - Int(offset))
        }
    }

    /// Any offsets (with gaps), finished in any order, in any amount (past the compaction at
    /// 1,024 released entries): the committable offset is the first unfinished one (or one past
    /// the last fetched), and `pending` counts the unfinished ones.
    @Test func anyFinishOrderMatchesTheModel() async {
        await propertyCheck(
            count: 60, input: Gen<Int>.value(in: 1...4).array(of: 1...3_000), Gen<Int>.value(in: 0...Int.max),
            Gen<Int>.value(in: 0...100)
        ) { gaps, seed, percentDone in
            var offsets: [Int64] = []
            var next: Int64 = 0
            for gap in gaps {
                next += Int64(gap)
                offsets.append(next)
            }
            var random = Xoroshiro(seed: UInt64(seed))
            let finishedCount = offsets.count * percentDone / 100
            let order = offsets.shuffled(using: &random).prefix(finishedCount)
            var tracker = OffsetTracker()
            var done = Set<Int64>()
            // Fetch everything, finishing as we go in a shuffled order: finishes interleave with fetches.
            var pendingFinishes = Array(order)
            for offset in offsets {
                tracker.fetched(offset)
                while let candidate = pendingFinishes.last, candidate <= offset {
                    tracker.finished(candidate)
                    done.insert(candidate)
                    pendingFinishes.removeLast()
                }
            }
            for offset in pendingFinishes {
                tracker.finished(offset)
                done.insert(offset)
            }
            let firstUnfinished = offsets.first { !done.contains($0) }
            #expect(tracker.committable == (firstUnfinished ?? offsets.last! + 1))
            #expect(tracker.pending == offsets.count - done.count)
        }
    }
}

/// A small deterministic generator for shuffles and jitter in tests.
struct Xoroshiro: RandomNumberGenerator {
    var state: (UInt64, UInt64)
    init(seed: UInt64) { state = (seed ^ 0x9E37_79B9_7F4A_7C15, seed &* 0xBF58_476D_1CE4_E5B9 | 1) }
    mutating func next() -> UInt64 {
        let (s0, s1x) = state
        let result = s0 &+ s1x
        let s1 = s1x ^ s0
        state = (((s0 << 55) | (s0 >> 9)) ^ s1 ^ (s1 << 14), (s1 << 36) | (s1 >> 28))
        return result
    }
}
