import Kafka
import SyncCore
import Testing

@testable import SyncWorker

/// Lane slots per workspace: lanes of a workspace that waits (down, throttled) keep their
/// slots, and must not take the slots of the others.
@Suite struct WorkspaceSlotTests {
    private static let p0 = TopicPartition("customers", 0)

    private func item(_ offset: Int64) -> WorkItem {
        let change = ContactChange(
            extURN: try! URN(parsing: "ext:cus_\(offset)"), version: .sequence(offset), eventID: "e\(offset)",
            action: .upsert(ContactPatch()))
        let record = KafkaRecord(topic: "customers", partition: 0, offset: offset, key: nil, value: [1])
        return WorkItem(record: record, change: change)
    }

    private func key(_ workspace: String, _ n: Int) -> String { "\(workspace)\u{1F}ext:cus_\(n)" }

    @Test func aWorkspaceHoldingEverySlotOfItsOwnLeavesTheOthersTheirs() {
        var lanes = LaneScheduler(maxInFlight: 2)
        var started: [String] = []
        for n in 0..<5 { started += lanes.enqueue(item(Int64(n)), key: key("down", n)) }
        #expect(started == [key("down", 0), key("down", 1)], "two slots for the workspace that is down")
        started = []
        for n in 0..<3 { started += lanes.enqueue(item(Int64(10 + n)), key: key("up", n)) }
        #expect(started == [key("up", 0), key("up", 1)], "the other workspace gets its own two")
        #expect(lanes.inFlight == 4)
        _ = lanes.take(key("up", 0))
        #expect(lanes.complete(key("up", 0)) == [key("up", 2)], "a slot of `up` goes to `up`'s next key")
        _ = lanes.take(key("down", 0))
        #expect(lanes.complete(key("down", 0)) == [key("down", 2)], "and `down`'s, oldest first")
    }

    /// A lane that waited for the budget without its slot takes one back for its call, and it
    /// counts against its own workspace: otherwise the workspace's count went below zero when
    /// the call's slot was given back, and it could start more than `maxInFlight` lanes.
    @Test func aSlotTakenBackAfterTheBudgetCountsForItsWorkspace() {
        var lanes = LaneScheduler(maxInFlight: 1)
        #expect(lanes.enqueue(item(0), key: key("a", 0)) == [key("a", 0)])
        _ = lanes.take(key("a", 0))
        // Waiting for the budget: its slot goes to the next lane of the workspace.
        #expect(lanes.enqueue(item(1), key: key("a", 1)) == [])
        #expect(lanes.releaseSlot(key("a", 0)) == [key("a", 1)])
        lanes.reclaimSlot(key("a", 0))
        #expect(lanes.inFlight == 2, "granted: past maxInFlight, the budget paces it")
        _ = lanes.take(key("a", 1))
        #expect(lanes.complete(key("a", 1)) == [])
        #expect(lanes.complete(key("a", 0)) == [])
        #expect(lanes.enqueue(item(2), key: key("a", 2)) == [key("a", 2)])
        #expect(lanes.enqueue(item(3), key: key("a", 3)) == [], "one slot for the workspace, as configured")
    }

    @Test func bareKeysAreOneWorkspaceAsBefore() {
        var lanes = LaneScheduler(maxInFlight: 1)
        #expect(lanes.enqueue(item(0), key: "ext:a") == ["ext:a"])
        #expect(lanes.enqueue(item(1), key: "ext:b") == [])
        #expect(lanes.enqueue(item(2), key: "ext:c") == [])
        _ = lanes.take("ext:a")
        #expect(lanes.complete("ext:a") == ["ext:b"])
    }
}
