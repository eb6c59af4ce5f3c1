import ContactSyncTesting
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// The brokers refuse every produce for a while (timeouts, as in `DeadLetterOutageTests`), after
/// the platform has accepted a change: the versions write or the dead letter that makes a record
/// done cannot be made yet, so its offset must not be committed. Watched from outside: what the
/// group committed against what the topics hold, read in that order.
@Suite(.serialized) struct DurableWriteOutageTests {
    static let outage = Array(repeating: KafkaErrorCode.requestTimedOut, count: 12)

    @Test func anUnwritableVersionsTopicHoldsTheCommitBack() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let group = "g-versions-down"
        try await h.produce(
            (0..<3).map {
                event("customer.created", id: "vd\($0)", entity: "vd\($0)", version: 1, data: #""name": "n""#)
            }
        )
        h.cluster.pushRequestErrors(apiKey: .produce, errors: Self.outage)
        // One produce request in flight: the mock cluster acknowledges a retried batch whose
        // sequence is below one it accepted after it (DUPLICATE_SEQUENCE_NUMBER) without ever
        // appending it, where Kafka would have refused the later batch as out of order; with two
        // batches to the versions partition in flight, a version could be lost by the mock.
        let run = await h.start(
            try h.configuration(group: group, untilCaughtUp: false) {
                $0.kafka["message.timeout.ms"] = "300"
                $0.kafka["max.in.flight.requests.per.connection"] = "1"
            }, deadline: .seconds(120))
        var appliedButNotDurable = false
        try await eventually("everything committed once the brokers take writes again") {
            let committed = try await h.committed(group: group)[0] ?? 0
            let durable = try await h.written("\(group).versions")[0]
            let applied = h.sandbox.state().contacts.count
            #expect(committed <= durable, "committed \(committed) with \(durable) versions written")
            if applied > durable { appliedButNotDurable = true }
            return committed == 3
        }
        #expect(appliedButNotDurable, "the platform had the change while its version could not be written")
        let versions = try await h.records(of: "\(group).versions")
        #expect(
            versions.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }.sorted() == [
                "ext:vd0", "ext:vd1", "ext:vd2",
            ])
        #expect(h.sandbox.stats().count(endpoint: "contacts.json", method: "POST") == 3, "each applied once")
        #expect(h.sandbox.state().contacts.count == 3)
        #expect(try await h.deadLetters().isEmpty)
        try await run.shutdown()
        await h.shutdown()
    }

    /// The platform refuses a change (the workspace's field limit: 409), so it goes to the
    /// dead-letter topic from the apply stage, which cannot be written for a while.
    @Test func aDeadLetterFromTheApplyStageThatCannotBeWrittenHoldsTheCommitBack() async throws {
        let h = try await WorkerHarness(partitions: 1)
        h.sandbox.seedFields(count: 250)
        let group = "g-apply-dlq-down"
        try await h.produce([
            event("customer.created", id: "r1", entity: "cus_r", version: 1, data: #""fields": {"plan": "gold"}"#),
            event("customer.created", id: "k1", entity: "cus_k", version: 1, data: #""name": "kept""#),
        ])
        // An outage that lasts until the dead letter has met it: a count of failed requests could
        // be spent by the versions write of the other record, made first when the refused one's
        // calls took longer (the test then saw no failed dead-letter write once in five runs).
        h.cluster.pushRequestErrors(
            apiKey: .produce, errors: Array(repeating: KafkaErrorCode.requestTimedOut, count: 100_000))
        let run = await h.start(
            try h.configuration(group: group, untilCaughtUp: false) { $0.kafka["message.timeout.ms"] = "300" },
            deadline: .seconds(120))
        let worker = run.worker
        try await eventually("the dead letter failed to be written") {
            let committed = try await h.committed(group: group)[0] ?? 0
            #expect(committed == 0, "committed \(committed) while no produce could succeed")
            return worker.status.snapshot.deadLetterWriteFailures > 0
        }
        h.cluster.clearRequestErrors(apiKey: .produce)
        try await eventually("everything committed once the brokers take writes again") {
            let committed = try await h.committed(group: group)[0] ?? 0
            let deadLetters = try await h.written(h.dlq)[0]
            #expect(committed == 0 || deadLetters == 1, "committed \(committed) before the dead letter was written")
            return committed == 2
        }
        let dead = try await h.deadLetters()
        #expect(dead.count == 1, "dead-lettered once")
        let info = try #require(dead.first.flatMap { DeadLetterInfo(headers: $0.inbound.headers) })
        #expect(info.stage == "apply" && info.reason == "platform_rejected" && info.sourceOffset == 0)
        #expect(info.platformStatus == 409)
        #expect(h.sandbox.state().contact(urn: "ext:cus_k")?.name == "kept")
        #expect(h.sandbox.state().contact(urn: "ext:cus_r") == nil)
        let versions = try await h.records(of: "\(group).versions")
        #expect(versions.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } } == ["ext:cus_k"])
        #expect(worker.status.snapshot.deadLetterHealthy)
        try await run.shutdown()
        await h.shutdown()
    }
}
