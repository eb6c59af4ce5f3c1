import ContactSyncTesting
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// A restore that fails is tried again: the guard never starts on a store that did not catch up
/// with the versions topic (it would let old events through, and its checkpoint would later
/// pass records it never read).
@Suite(.serialized) struct WorkerRestoreRetryTests {
    actor Failures {
        private var left: Int
        private(set) var attempts = 0
        init(_ count: Int) { left = count }

        func attempt() throws {
            attempts += 1
            guard left > 0 else { return }
            left -= 1
            throw InjectedFailure()
        }
    }

    @Test func aFailedRestoreIsRetriedAndTheGuardStillSkipsOldEvents() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let entities = (0..<10).map { "rr\($0)" }
        try await h.produce(
            entities.map { event("customer.updated", id: "\($0)-v2", entity: $0, version: 2, data: #""name": "v2""#) })
        let group = "g-restore-retry"
        let first = try await h.runUntilCaughtUp(group: group)
        #expect(first.applied == entities.count)

        // The same entities' older versions, sent again (a replay): the next run's guard, restored
        // from the versions topic (its state directory is a fresh temporary one), must skip them.
        try await h.produce(
            entities.map { event("customer.updated", id: "\($0)-v1", entity: $0, version: 1, data: #""name": "v1""#) })
        let failures = Failures(2)
        let second = try await h.runUntilCaughtUp(group: group) {
            $0.beforeRestore = { _ in try await failures.attempt() }
        }
        #expect(await failures.attempts == 3, "two failed attempts, then the restore")
        #expect(second.skippedStale == entities.count && second.applied == 0)
        let names = Set(entities.map { h.sandbox.state().contact(urn: "ext:\($0)")?.name })
        #expect(names == ["v2"])
        await h.shutdown()
    }
}

private struct InjectedFailure: Error, CustomStringConvertible {
    var description: String { "the versions topic cannot be read (injected)" }
}
