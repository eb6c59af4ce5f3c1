import PropertyBased
import SyncCore
import Testing

/// The commit metadata that tells a partition's next owner which offsets past the committed one
/// are done already.
@Suite struct EngineDoneOffsetsTests {
    @Test func readsBackWhatItWrote() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...1_000_000), Gen.int(in: 1...5000).array(of: 0...200)) {
            base, gaps in
            let committed = Int64(base)
            let offsets = Set(gaps.map { committed + Int64($0) })
            let done = DoneOffsets(committed: committed, offsets: offsets)
            guard let text = done.metadata else {
                #expect(offsets.isEmpty)
                return
            }
            #expect(text.utf8.count <= DoneOffsets.maxBytes)
            let read = DoneOffsets(metadata: text, committed: committed)
            #expect(read == done, "\(text)")
            for offset in offsets { #expect(read?.contains(offset) == true) }
            #expect(read?.contains(committed) == false, "the committed offset itself is never done")
        }
    }

    @Test func rangesKeepItShort() {
        let done = DoneOffsets(committed: 1000, offsets: Array(1001...1500) + [1600])
        #expect(done.metadata == "cs1:1000:1-dw,go")
    }

    /// Kafka refuses the whole commit past offset.metadata.max.bytes: the farthest ranges go.
    @Test func tooManyRangesAreCutFromTheFarEnd() throws {
        let done = DoneOffsets(committed: 0, offsets: stride(from: 2, to: 200_000, by: 2).map { Int64($0) })
        let text = try #require(done.metadata)
        #expect(text.utf8.count <= DoneOffsets.maxBytes)
        let read = try #require(DoneOffsets(metadata: text, committed: 0))
        #expect(read.contains(2) && read.contains(4))
        #expect(!read.contains(199_998))
        #expect(read.offsets == Array(done.offsets.prefix(read.offsets.count)), "a prefix: the nearest ones")
    }

    /// Metadata of another commit, another tool's, or damaged says nothing.
    @Test(arguments: [
        ("cs1:99:1-3", 100), ("other tool's text", 100), ("cs1:100:", 100), ("cs1:100:0-3", 100),
        ("cs1:100:5-3", 100), ("cs1:100:zzzzzzzzzzzzzz", 100), ("cs1:-5:1", -5), ("cs1:100:1:2", 100),
    ])
    func foreignMetadataIsIgnored(text: String, committed: Int64) {
        #expect(DoneOffsets(metadata: text, committed: committed) == nil)
    }

    @Test func nothingDoneIsNoMetadata() {
        #expect(DoneOffsets(committed: 5, offsets: [3, 5]).metadata == nil)
    }

    /// The tracker names what finished behind a pending record.
    @Test func theTrackerNamesWhatIsDonePastTheCommittableOffset() {
        var tracker = OffsetTracker()
        for offset in Int64(10)...15 { tracker.fetched(offset) }
        for offset: Int64 in [11, 13, 14] { tracker.finished(offset) }
        #expect(tracker.committable == 10)
        #expect(tracker.doneBeyondCommittable == [11, 13, 14])
        tracker.finished(10)
        #expect(tracker.committable == 12)
        #expect(tracker.doneBeyondCommittable == [13, 14])
    }
}

/// The age of the oldest pending record (ContactSyncRecordStuck's gauge).
@Suite struct EngineOldestPendingTests {
    @Test func theOldestPendingIsTheFirstNotDone() {
        var tracker = OffsetTracker()
        #expect(tracker.oldestPendingFetchedAt == nil)
        tracker.fetched(10, at: 100)
        tracker.fetched(11, at: 200)
        tracker.fetched(12, at: 300)
        tracker.finished(11)
        #expect(tracker.oldestPendingFetchedAt == 100, "offset 10 still waits")
        tracker.finished(10)
        #expect(tracker.oldestPendingFetchedAt == 300, "11 is done: 12 is the oldest now")
        tracker.finished(12)
        #expect(tracker.oldestPendingFetchedAt == nil)
    }
}
