import SyncCore
import Testing

/// Where the versions topic keeps what is done past a partition's commit.
@Suite struct DoneOffsetsVersionsKeyTests {
    /// Fails when a key does not name its source partition back, or when an entity's key (a URN,
    /// or a workspace's `name␟urn`) is taken for one.
    @Test func aKeyNamesItsSourcePartitionAndNoEntityKeyIsOne() {
        for (topic, partition) in [("customers", Int32(0)), ("crm.leads:v2", 17), ("a\u{0}b", 3)] {
            let key = DoneOffsets.versionsKey(topic: topic, partition: partition)
            let source = key.withUnsafeBytes { DoneOffsets.source(ofVersionsKey: $0) }
            #expect(source?.topic == topic && source?.partition == partition)
        }
        for entity in ["ext:cus_1", "acme\u{1F}ext:cus_1", "done", "\u{0}done", "\u{0}done\u{0}t\u{0}x"] {
            #expect(Array(entity.utf8).withUnsafeBytes { DoneOffsets.source(ofVersionsKey: $0) } == nil, "\(entity)")
        }
    }

    /// Fails when the versions text loses its offset with nothing done past it, or when a
    /// value that is not this form is read as one.
    @Test func theVersionsTextKeepsItsOffsetWithOrWithoutRanges() {
        let none = DoneOffsets(committed: 523, offsets: [])
        #expect(none.versionsText == "cs1:523:")
        #expect(DoneOffsets(versionsText: none.versionsText) == none)
        let some = DoneOffsets(committed: 388, offsets: [389, 499])
        #expect(DoneOffsets(versionsText: some.versionsText) == some)
        #expect(DoneOffsets(metadata: none.versionsText, committed: 523) == nil, "no metadata names nothing")
        for other in ["", "cs1:", "cs1:x:", "cs1:-1:", "cs2:4:", #"{"v":1}"#] {
            #expect(DoneOffsets(versionsText: other) == nil, "\(other)")
        }
    }
}
