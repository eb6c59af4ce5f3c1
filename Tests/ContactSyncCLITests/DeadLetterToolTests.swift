import Foundation
import Kafka
import Logging
import PlatformClient
import PlatformSandbox
import SyncCore
import Testing

@testable import ContactSyncCLI
@testable import SyncWorker

/// A worker dead-letters bad records; the tools read and replay them against the mock cluster.
@Suite(.serialized) struct DeadLetterToolTests {
    static func canonical(_ id: String, _ entity: String, version: Int, data: String) -> String {
        #"{"id": "\#(id)", "type": "customer.updated", "occurred_at": "2026-11-24T10:00:00Z", "version": \#(version), "data": {"id": "\#(entity)"\#(data)}}"#
    }

    struct Setup {
        let cluster: MockCluster
        let sandbox: Sandbox
        let logger: Logger
        let kafka: KafkaProperties

        func runWorker() async throws -> WorkerSnapshot {
            try? cluster.createTopic("g.versions", partitions: 1)
            let configuration = WorkerConfiguration(
                kafka: kafka, groupID: "g", topics: ["customers"], deadLetterTopic: "dlq",
                retry: RetryPolicy(maxAttempts: 2, base: .milliseconds(5)), commitInterval: .milliseconds(100),
                untilCaughtUp: true, instanceID: "t")
            let worker = Worker(
                configuration: configuration, platform: .init(baseURL: sandbox.baseURL, token: APIToken("t")),
                logger: logger)
            try await worker.run()
            return worker.status.snapshot
        }

        func produce(_ items: [(String, String)], topic: String = "customers") async throws {
            let producer = try KafkaProducer(properties: kafka, logger: logger)
            for (key, value) in items {
                try await producer.send(
                    topic: topic, key: Array(key.utf8), value: Array(value.utf8),
                    headers: [KafkaHeader("origin", "crm")])
            }
            await producer.close()
        }

        func read(_ topic: String) async throws -> [KafkaRecord] {
            let consumer = try KafkaConsumer(
                properties: kafka.merging(["group.id": "reader-\(UUID())"]) { $1 }, logger: logger)
            let reader = TopicReader(consumer: consumer, topic: topic)
            var records: [KafkaRecord] = []
            try await reader.read(try await reader.ranges()) {
                records.append($0)
                return true
            }
            await consumer.close()
            return records
        }

        func replay(
            _ filter: DeadLetterFilter = DeadLetterFilter(), to target: String? = nil, limit: Int? = nil,
            maxReplays: Int = 3
        ) async throws -> DeadLetterReplay.Summary {
            try await DeadLetterReplay(
                kafka: kafka, group: "g.dlq-replay", topic: "dlq", filter: filter, target: target, dryRun: false,
                rate: nil, limit: limit, maxReplays: maxReplays
            ).run { _ in }
        }
    }

    func setup() async throws -> Setup {
        var logger = Logger(label: "dlq-test")
        logger.logLevel = .critical
        let cluster = try MockCluster(logger: logger)
        for (topic, partitions) in [("customers", 1), ("dlq", 1), ("elsewhere", 1)] {
            try cluster.createTopic(topic, partitions: partitions)
        }
        let sandbox = try await Sandbox.start(SandboxOptions(token: "t"), logger: logger)
        return Setup(
            cluster: cluster, sandbox: sandbox, logger: logger,
            kafka: [
                "bootstrap.servers": cluster.bootstrapServers, "session.timeout.ms": "6000",
                "heartbeat.interval.ms": "500",
            ])
    }

    @Test func inspectReplayFiltersResumeAndTheLoopGuard() async throws {
        let s = try await setup()
        try await s.produce([
            ("cus_1", Self.canonical("e1", "cus_1", version: 1, data: #", "phone": "not a phone""#)),
            ("cus_2", Self.canonical("e2", "cus_2", version: 1, data: #", "language": "xx""#)),
            ("cus_3", Self.canonical("e3", "cus_3", version: 1, data: #", "phone": "nope""#)),
            ("cus_4", "{broken"),
        ])
        let first = try await s.runWorker()
        #expect(first.deadLetteredTotal == 4)

        // inspect: what the worker dead-lettered, with its reasons, headers and the original key.
        let dead = try await s.read("dlq")
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
        let interrupted = try await s.replay(DeadLetterFilter(reason: "invalid_urn"), to: "elsewhere", limit: 1)
        #expect(interrupted.sent == 1)
        let resumed = try await s.replay(DeadLetterFilter(reason: "invalid_urn"), to: "elsewhere")
        #expect(resumed.sent == 1)
        let copies = try await s.read("elsewhere")
        #expect(
            copies.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }.sorted() == ["cus_1", "cus_3"])
        #expect(copies.allSatisfy { $0.header("origin") == "crm" && $0.header("contactsync.replay_count") == "1" })
        #expect(copies.allSatisfy { $0.header("contactsync.replayed_from")?.hasPrefix("dlq[0]@") == true })
        #expect(
            copies.allSatisfy { $0.header("__connect.errors.topic") == nil && $0.header("contactsync.reason") == nil })
        #expect(
            copies.map { $0.value } == dead.filter { $0.header("contactsync.reason") == "invalid_urn" }.map(\.value))
        // Nothing is left to replay for this group: everything read is committed.
        #expect(try await s.replay(DeadLetterFilter(key: "cus_2")).sent == 0)
        await s.sandbox.shutdown()
    }

    @Test func theLoopGuardRefusesRecordsReplayedTooOften() async throws {
        let s = try await setup()
        try await s.produce([("cus_9", Self.canonical("e9", "cus_9", version: 1, data: #", "phone": "bad""#))])
        _ = try await s.runWorker()
        // Replay into the source, where the worker dead-letters it again (still bad), three times.
        // Each round's replay group reads the whole dead-letter topic: every copy of cus_9 so far,
        // each copy sent back unless its replay count reached the limit (2). Round 1 sees the
        // original (count 0); round 2 it and its copy (0, 1); round 3 those and their copies
        // (0, 1, 1, 2), the last refused.
        let expected = [(sent: 1, refused: 0), (sent: 2, refused: 0), (sent: 3, refused: 1)]
        for round in 1...3 {
            let summary = try await DeadLetterReplay(
                kafka: s.kafka, group: "replay-\(round)", topic: "dlq", filter: DeadLetterFilter(key: "cus_9"),
                target: nil, dryRun: false, rate: nil, limit: nil, maxReplays: 2
            ).run { _ in }
            _ = try await s.runWorker()
            #expect(
                summary.sent == expected[round - 1].sent && summary.refusedByLoopGuard == expected[round - 1].refused,
                "round \(round): sent \(summary.sent), refused \(summary.refusedByLoopGuard)")
        }
        let dead = try await s.read("dlq")
        #expect(
            dead.map { Int($0.header("contactsync.replay_count") ?? "0") ?? 0 }.sorted() == [0, 1, 1, 1, 2, 2, 2],
            "no copy was replayed past the limit")
        await s.sandbox.shutdown()
    }

    @Test func aReplayedStaleUpdateDoesNotRollAContactBack() async throws {
        let s = try await setup()
        // v1 fails on the platform (the sandbox is down for it), v2 applies later.
        s.sandbox.setChaos(SandboxChaos(failRate: 1))
        try await s.produce([("cus_7", Self.canonical("e7a", "cus_7", version: 1, data: #", "name": "Old""#))])
        _ = try await s.runWorkerQuickly()
        s.sandbox.setChaos(.none)
        try await s.produce([("cus_7", Self.canonical("e7b", "cus_7", version: 2, data: #", "name": "New""#))])
        _ = try await s.runWorker()
        #expect(s.sandbox.state().contact(urn: "ext:cus_7")?.name == "New")
        let dead = try await s.read("dlq")
        #expect(dead.contains { $0.header("contactsync.reason") == "retries_exhausted" })
        _ = try await s.replay(DeadLetterFilter(key: "cus_7"))
        let after = try await s.runWorker()
        #expect(after.skippedStale == 1)
        #expect(
            s.sandbox.state().contact(urn: "ext:cus_7")?.name == "New", "the replayed v1 did not roll the contact back")
        await s.sandbox.shutdown()
    }
}

extension DeadLetterToolTests.Setup {
    /// A worker with a tiny retry budget that never counts the platform as degraded, so
    /// failures dead-letter fast (a degraded platform would make it wait instead).
    func runWorkerQuickly() async throws -> WorkerSnapshot {
        try? cluster.createTopic("g.versions", partitions: 1)
        var configuration = WorkerConfiguration(
            kafka: kafka, groupID: "g", topics: ["customers"], deadLetterTopic: "dlq",
            retry: RetryPolicy(maxElapsed: .milliseconds(200), base: .milliseconds(5)),
            commitInterval: .milliseconds(100), outageThreshold: 1000, untilCaughtUp: true, instanceID: "t")
        configuration.degradeAtFailureRate = 2
        let worker = Worker(
            configuration: configuration, platform: .init(baseURL: sandbox.baseURL, token: APIToken("t")),
            logger: logger)
        try await worker.run()
        return worker.status.snapshot
    }
}
