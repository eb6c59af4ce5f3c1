import ContactSyncTesting
import Foundation
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// Records whose dead letter or versions record would pass the producer's size limit, and
/// dead-letter topics that refuse for good: none may stall a partition silently.
@Suite(.serialized) struct PoisonPillTests {
    @Test func oversizedRecordsAreDeadLetteredAndThePartitionMovesOn() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let brackets = String(repeating: "[", count: 1_000_000)
        let twoMB = #"{"id": "e-big", "pad": ""# + String(repeating: "a", count: 2_000_000) + #""}"#
        let longPhone = event(
            "customer.updated", id: "e-phone", entity: "cus_phone", version: 1,
            data: #""phone": "\#(String(repeating: "9", count: 600_000))""#)
        try await h.produce(
            [
                ("brackets", brackets), ("big", twoMB), longPhone,
                event(
                    "customer.created", id: "g1", entity: "cus_after", version: 1, data: #""name": "after the pills""#),
            ])
        let snapshot = try await h.runUntilCaughtUp(group: "g-pills", deadline: .seconds(40))
        #expect(snapshot.caughtUp, "the partition was not stalled")
        #expect(snapshot.deadLetteredTotal == 3)
        #expect(h.sandbox.state().contact(urn: "ext:cus_after")?.name == "after the pills")
        // Decode rejections are dead-lettered concurrently: ordered by source offset here.
        let letters = try await h.deadLetters().sorted {
            Int($0.header("__connect.errors.offset") ?? "") ?? 0 < Int($1.header("__connect.errors.offset") ?? "") ?? 0
        }
        #expect(letters.map { $0.header("contactsync.reason") } == ["malformed_json", "missing_member", "invalid_urn"])
        #expect(letters.map { $0.header("__connect.errors.offset") } == ["0", "1", "2"], "the original can be fetched")
        let big = try #require(letters.count == 3 ? letters[1] : nil)
        #expect(big.header("contactsync.value_truncated") == String(twoMB.utf8.count))
        #expect(big.value.map { Array($0) } == Array(twoMB.utf8.prefix(64 * 1024)))
        let phoneMessage = try #require(
            letters.count == 3 ? letters[2].header("__connect.errors.exception.message") : nil)
        #expect(phoneMessage.utf8.count <= 4096)
        #expect(phoneMessage.hasSuffix("bytes in all]"))
        await h.shutdown()
    }

    /// A valid event with a 1.2 MB id used to reach the platform, then stall on its versions
    /// record: it is refused at decode instead, and nothing is written.
    @Test func aHugeEventIDIsRefusedAtDecode() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let id = String(repeating: "i", count: 1_200_000)
        try await h.produce(
            [
                event("customer.created", id: id, entity: "cus_huge_id", version: 1, data: #""name": "never""#),
                event("customer.created", id: "ok", entity: "cus_ok", version: 1, data: #""name": "fine""#),
            ])
        let snapshot = try await h.runUntilCaughtUp(group: "g-huge-id", deadline: .seconds(40))
        #expect(snapshot.caughtUp)
        #expect(snapshot.deadLettered == ["invalid_member": 1])
        #expect(h.sandbox.state().contact(urn: "ext:cus_huge_id") == nil)
        #expect(h.sandbox.state().contact(urn: "ext:cus_ok")?.name == "fine")
        await h.shutdown()
    }

    /// The dead-letter topic refusing for good (here: not authorised) halts the worker with
    /// the reason; the refused record's offset is not committed.
    @Test func aPermanentRefusalHaltsTheWorkerByDefault() async throws {
        let h = try await WorkerHarness(partitions: 1)
        try await h.produce([("bad", "{not json")])
        h.cluster.pushRequestErrors(
            apiKey: .produce, errors: Array(repeating: KafkaErrorCode.topicAuthorizationFailed, count: 3))
        let worker = await h.start(
            try h.configuration(group: "g-halt", untilCaughtUp: false) { $0.drainDeadline = .milliseconds(200) },
            deadline: .seconds(30))
        let error = await #expect(throws: (any Error).self) { try await worker.finished() }
        #expect("\(error.map { "\($0)" } ?? "")".contains("dead_letter.on_refused=halt"))
        #expect(!worker.snapshot.deadLetterHealthy)
        let admin = try KafkaAdmin(
            properties: ["bootstrap.servers": h.cluster.bootstrapServers], groupID: "g-halt", logger: h.logger)
        #expect(try await admin.lag(topics: [h.topic]).map(\.lag) == [1], "the refused record stays uncommitted")
        await admin.close()
        await h.shutdown()
    }

    @Test func theSkipPolicyLogsAndMovesOn() async throws {
        let h = try await WorkerHarness(partitions: 1)
        try await h.produce([("bad", "{not json")])
        h.cluster.pushRequestErrors(apiKey: .produce, errors: [KafkaErrorCode.topicAuthorizationFailed])
        let snapshot = try await h.start(
            try h.configuration(group: "g-skip") { $0.deadLetterRefused = .skip }, deadline: .seconds(30)
        ).finished()
        #expect(snapshot.caughtUp)
        #expect(try await h.deadLetters().isEmpty, "skipped, not written")
        await h.shutdown()
    }

    @Test func permanentProduceErrorsAreToldApartFromTransientOnes() {
        func error(_ code: Int32) -> KafkaError { KafkaError(code: code, context: "produce") }
        #expect(error(KafkaErrorCode.messageTooLarge).isPermanent)
        #expect(error(KafkaErrorCode.topicAuthorizationFailed).isPermanent)
        #expect(!error(KafkaErrorCode.requestTimedOut).isPermanent)
        #expect(!error(KafkaErrorCode.notLeaderForPartition).isPermanent)
    }
}
