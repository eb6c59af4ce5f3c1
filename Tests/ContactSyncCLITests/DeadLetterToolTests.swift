import ContactSyncTesting
import Foundation
import Kafka
import PlatformClient
import PlatformSandbox
import SyncCore
import Testing

@testable import ContactSyncCLI
@testable import SyncWorker

/// A worker dead-letters bad records; the tools read and replay them against the mock cluster.
@Suite(.serialized) struct DeadLetterToolTests {
    /// A harness with one partition and a second topic to replay into.
    func setup() async throws -> WorkerHarness {
        let h = try await WorkerHarness(partitions: 1)
        try h.cluster.createTopic("elsewhere", partitions: 1)
        return h
    }

    /// The header every record is produced with: dead letters and replays must keep it.
    static let origin = [KafkaHeader("origin", "crm")]

    @Test func inspectReplayFiltersResumeAndTheLoopGuard() async throws {
        let h = try await setup()
        try await h.produce(
            [
                event("customer.updated", id: "e1", entity: "cus_1", version: 1, data: #""phone": "not a phone""#),
                event("customer.updated", id: "e2", entity: "cus_2", version: 1, data: #""language": "xx""#),
                event("customer.updated", id: "e3", entity: "cus_3", version: 1, data: #""phone": "nope""#),
                ("cus_4", "{broken"),
            ], headers: Self.origin)
        let first = try await h.runWorker()
        #expect(first.deadLetteredTotal == 4)

        // inspect: what the worker dead-lettered, with its reasons, headers and the original key.
        let dead = try await h.deadLetters()
        let infos = dead.compactMap { DeadLetterInfo(headers: $0.inbound.headers) }
        #expect(infos.count == 4)
        #expect(infos.map(\.reason).sorted() == ["invalid_language", "invalid_urn", "invalid_urn", "malformed_json"])
        #expect(infos.allSatisfy { $0.sourceTopic == "customers" && $0.stage == "decode" })
        #expect(dead.allSatisfy { $0.header("origin") == "crm" }, "original headers kept")
        #expect(
            Set(dead.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }) == [
                "cus_1", "cus_2", "cus_3", "cus_4",
            ])

        // replay with a filter, interrupted after one record, then run again: each record once.
        let interrupted = try await h.replay(DeadLetterFilter(reason: "invalid_urn"), to: "elsewhere", limit: 1)
        #expect(interrupted.sent == 1)
        let resumed = try await h.replay(DeadLetterFilter(reason: "invalid_urn"), to: "elsewhere")
        #expect(resumed.sent == 1)
        let copies = try await h.records(of: "elsewhere")
        #expect(
            copies.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }.sorted() == ["cus_1", "cus_3"])
        #expect(copies.allSatisfy { $0.header("origin") == "crm" && $0.header("contactsync.replay_count") == "1" })
        #expect(copies.allSatisfy { $0.header("contactsync.replayed_from")?.hasPrefix("\(h.dlq)[0]@") == true })
        #expect(
            copies.allSatisfy { $0.header("__connect.errors.topic") == nil && $0.header("contactsync.reason") == nil })
        #expect(
            copies.map { $0.value } == dead.filter { $0.header("contactsync.reason") == "invalid_urn" }.map(\.value))
        // Nothing is left to replay for this group: everything read is committed.
        #expect(try await h.replay(DeadLetterFilter(key: "cus_2")).sent == 0)
        await h.shutdown()
    }

    /// `dlq inspect`/`dlq replay --workspace`: dead letters carry the workspace the event named,
    /// whether it was unknown or its data was bad.
    @Test func deadLettersAreFilteredByWorkspace() async throws {
        let h = try await WorkerHarness(partitions: 1, workspaces: [.named("acme")])
        try h.cluster.createTopic("elsewhere", partitions: 1)
        try await h.produce([
            tenantEvent("initech", "customer.created", id: "i1", entity: "cus_1", data: #""name": "Peter""#),
            tenantEvent("acme", "customer.created", id: "a1", entity: "cus_2", data: #""phone": "not a phone""#),
            tenantEvent("initech", "customer.created", id: "i2", entity: "cus_3", data: #""name": "Milton""#),
        ])
        let snapshot = try await h.runUntilCaughtUp(group: "g") {
            $0.workspaces = [h.workspace("acme")]
            $0.decoder.workspaceFrom = WorkerHarness.tenantSelector
        }
        #expect(snapshot.deadLettered == ["unknown_workspace": 2, "invalid_urn": 1])
        let infos = try await h.deadLetters().compactMap { DeadLetterInfo(headers: $0.inbound.headers) }
        #expect(infos.map { $0.workspace ?? "-" }.sorted() == ["acme", "initech", "initech"])
        let replayed = try await h.replay(DeadLetterFilter(workspace: "initech"), to: "elsewhere")
        #expect(replayed.sent == 2)
        let keys = try await h.records(of: "elsewhere").compactMap {
            $0.key.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(keys.sorted() == ["cus_1", "cus_3"])
        await h.shutdown()
    }

    @Test func theLoopGuardRefusesRecordsReplayedTooOften() async throws {
        let h = try await setup()
        try await h.produce(
            [event("customer.updated", id: "e9", entity: "cus_9", version: 1, data: #""phone": "bad""#)],
            headers: Self.origin)
        _ = try await h.runWorker()
        // Replay into the source, where the worker dead-letters it again (still bad), three times.
        // Each round's replay group reads the whole dead-letter topic: every copy of cus_9 so far,
        // each copy sent back unless its replay count reached the limit (2). Round 1 sees the
        // original (count 0); round 2 it and its copy (0, 1); round 3 those and their copies
        // (0, 1, 1, 2), the last refused.
        let expected = [(sent: 1, refused: 0), (sent: 2, refused: 0), (sent: 3, refused: 1)]
        for round in 1...3 {
            let summary = try await DeadLetterReplay(
                kafka: h.kafka, group: "replay-\(round)", topic: h.dlq, filter: DeadLetterFilter(key: "cus_9"),
                target: nil, dryRun: false, rate: nil, limit: nil, maxReplays: 2
            ).run { _ in }
            _ = try await h.runWorker()
            #expect(
                summary.sent == expected[round - 1].sent && summary.refusedByLoopGuard == expected[round - 1].refused,
                "round \(round): sent \(summary.sent), refused \(summary.refusedByLoopGuard)")
        }
        let dead = try await h.deadLetters()
        #expect(
            dead.map { Int($0.header("contactsync.replay_count") ?? "0") ?? 0 }.sorted() == [0, 1, 1, 1, 2, 2, 2],
            "no copy was replayed past the limit")
        await h.shutdown()
    }

    @Test func aReplayedStaleUpdateDoesNotRollAContactBack() async throws {
        let h = try await setup()
        // v1 fails on the platform (the sandbox is down for it), v2 applies later.
        h.sandbox.setChaos(SandboxChaos(failRate: 1))
        try await h.produce(
            [event("customer.updated", id: "e7a", entity: "cus_7", version: 1, data: #""name": "Old""#)],
            headers: Self.origin)
        _ = try await h.runWorkerQuickly()
        h.sandbox.setChaos(.none)
        try await h.produce(
            [event("customer.updated", id: "e7b", entity: "cus_7", version: 2, data: #""name": "New""#)],
            headers: Self.origin)
        _ = try await h.runWorker()
        #expect(h.sandbox.state().contact(urn: "ext:cus_7")?.name == "New")
        let dead = try await h.deadLetters()
        #expect(dead.contains { $0.header("contactsync.reason") == "retries_exhausted" })
        _ = try await h.replay(DeadLetterFilter(key: "cus_7"))
        let after = try await h.runWorker()
        #expect(after.skippedStale == 1)
        #expect(
            h.sandbox.state().contact(urn: "ext:cus_7")?.name == "New", "the replayed v1 did not roll the contact back")
        await h.shutdown()
    }
}

/// The worker and replays of these tests: group `g`, quick commits.
extension WorkerHarness {
    /// Kafka settings for the replay tool; short sessions, as the worker's: the mock cluster
    /// ignores LeaveGroup, so a replay group's next run waits for the last one's session.
    var kafka: KafkaProperties {
        ["bootstrap.servers": cluster.bootstrapServers, "session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]
    }

    /// Runs the group's worker until it has caught up, with a small retry budget.
    func runWorker() async throws -> WorkerSnapshot {
        try await runUntilCaughtUp(group: "g") {
            $0.retry = RetryPolicy(maxAttempts: 2, base: .milliseconds(5))
            $0.commitInterval = .milliseconds(100)
        }
    }

    /// A worker with a tiny retry budget that never counts the platform as degraded, so
    /// failures dead-letter fast (a degraded platform would make it wait instead).
    func runWorkerQuickly() async throws -> WorkerSnapshot {
        try await runUntilCaughtUp(group: "g") {
            $0.retry = RetryPolicy(maxElapsed: .milliseconds(200), base: .milliseconds(5))
            $0.commitInterval = .milliseconds(100)
            $0.outageThreshold = 1000
            $0.degradeAtFailureRate = 2
        }
    }

    func replay(
        _ filter: DeadLetterFilter = DeadLetterFilter(), to target: String? = nil, limit: Int? = nil,
        maxReplays: Int = 3
    ) async throws -> DeadLetterReplay.Summary {
        try await DeadLetterReplay(
            kafka: kafka, group: "g.dlq-replay", topic: dlq, filter: filter, target: target, dryRun: false,
            rate: nil, limit: limit, maxReplays: maxReplays
        ).run { _ in }
    }
}
