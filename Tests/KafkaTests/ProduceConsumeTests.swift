import Kafka
import Logging
import Testing

@Suite struct ProduceConsumeTests {
    @Test func recordsRoundTripWithKeysHeadersAndTombstones() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("rt", partitions: 3)
        let producer = try kafka.producer()
        let headers = [
            KafkaHeader("traceparent", "00-abc-def-01"), KafkaHeader("dup", "1"), KafkaHeader("dup", "2"),
            KafkaHeader("empty", nil),
        ]
        let first = try await producer.send(
            topic: "rt", key: Array("cus_1".utf8), value: Array(#"{"a":1}"#.utf8), headers: headers)
        let tombstone = try await producer.send(topic: "rt", key: Array("cus_1".utf8), value: nil)
        #expect(first.topic == "rt")
        #expect(tombstone.partition == first.partition, "one key, one partition")
        #expect(tombstone.offset == first.offset + 1)
        await producer.close()

        let consumer = try kafka.consumer(group: "rt-group")
        try consumer.subscribe(topics: ["rt"])
        let records = try await pollUntil(consumer) { $0.count >= 2 }
        #expect(records.count == 2)
        let record = try #require(records.first)
        #expect(text(record.key) == "cus_1")
        #expect(text(record.value) == #"{"a":1}"#)
        #expect(record.headers == headers)
        #expect(record.header("dup") == "2")
        #expect(record.offset == first.offset)
        #expect(record.timestampMs != nil)
        #expect(records[1].value == nil)
        await consumer.close()
    }

    @Test func aBatchSendReportsEveryRecordInOrder() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("batch", partitions: 1)
        let producer = try kafka.producer()
        let records = (0..<500).map {
            OutgoingRecord(
                topic: "batch", key: Array("k\($0)".utf8), value: Array("v\($0)".utf8),
                headers: $0 % 2 == 0 ? [KafkaHeader("n", "\($0)")] : [])
        }
        let reports = try await producer.send(records)
        #expect(reports.map(\.offset) == Array(0..<500), "one report per record, in the order given")
        #expect(try await producer.send([]).isEmpty)
        await producer.close()

        let consumer = try kafka.consumer(group: "batch-group")
        try consumer.subscribe(topics: ["batch"])
        let read = try await pollUntil(consumer) { $0.count >= 500 }
        #expect(read.map { text($0.value) } == (0..<500).map { "v\($0)" })
        #expect(read[42].header("n") == "42")
        #expect(read[43].headers.isEmpty)
        await consumer.close()
    }

    @Test func committedOffsetsSurviveANewMember() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("commits", partitions: 1)
        try await kafka.produce(topic: "commits", count: 10)
        let first = try kafka.consumer(group: "g-commits")
        try first.subscribe(topics: ["commits"])
        let read = try await pollUntil(first) { $0.count >= 10 }
        #expect(read.count == 10)
        // Done with the first six (offsets 0…5): the next to read is 6.
        try first.storeOffsets([TopicPartitionOffset("commits", 0, 6)])
        try await first.commit()
        await first.close()

        let second = try kafka.consumer(group: "g-commits")
        try second.subscribe(topics: ["commits"])
        let again = try await pollUntil(second) { $0.count >= 4 }
        #expect(again.map(\.offset) == [6, 7, 8, 9])
        let committed = try await second.committed([TopicPartition("commits", 0)])
        #expect(committed.map(\.offset) == [6])
        await second.close()
    }

    @Test func storedButUncommittedAndUnstoredRecordsComeBack() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("redo", partitions: 1)
        try await kafka.produce(topic: "redo", count: 6)
        // With enable.auto.commit=false, close() does not commit what was stored: only an
        // explicit commit makes offsets durable. The worker relies on that, never on close.
        let first = try kafka.consumer(group: "g-redo")
        try first.subscribe(topics: ["redo"])
        _ = try await pollUntil(first) { $0.count >= 6 }
        try first.storeOffsets([TopicPartitionOffset("redo", 0, 2)])
        try await first.commit()
        try first.storeOffsets([TopicPartitionOffset("redo", 0, 4)])  // stored, never committed
        await first.close()

        let second = try kafka.consumer(group: "g-redo")
        try second.subscribe(topics: ["redo"])
        let again = try await pollUntil(second) { $0.count >= 4 }
        #expect(again.map(\.offset) == [2, 3, 4, 5])
        await second.close()
    }

    @Test func pauseStopsDeliveryAndResumeRestartsIt() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("pause", partitions: 1)
        let consumer = try kafka.consumer(group: "g-pause")
        try consumer.subscribe(topics: ["pause"])
        try await kafka.produce(topic: "pause", count: 3)
        _ = try await pollUntil(consumer) { $0.count >= 3 }
        let partition = TopicPartition("pause", 0)
        try consumer.pause([partition])
        try await kafka.produce(topic: "pause", count: 3, from: 3)
        // Give a paused consumer several fetch rounds to (wrongly) deliver something.
        let whilePaused = try await pollUntil(consumer, deadline: .seconds(2)) { _ in false }
        #expect(whilePaused.isEmpty)
        try consumer.resume([partition])
        let afterResume = try await pollUntil(consumer) { $0.count >= 3 }
        #expect(afterResume.compactMap { text($0.key) }.sorted() == ["k3", "k4", "k5"])
        await consumer.close()
    }

    @Test func manualAssignmentReadsFromTheBeginningWithoutAGroupJoin() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("assigned", partitions: 2)
        try await kafka.produce(topic: "assigned", count: 5, partition: 1)
        let reader = try kafka.consumer(group: "g-reader")
        try reader.assign([TopicPartitionOffset("assigned", 1, TopicPartitionOffset.beginning)])
        let records = try await pollUntil(reader) { $0.count >= 5 }
        #expect(records.map(\.offset) == [0, 1, 2, 3, 4])
        #expect(Set(records.map(\.partition)) == [1])
        await reader.close()
    }

    @Test func aBadPropertyNamesItself() throws {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(properties: ["no.such.property": "1"], logger: .init(label: "t"))
        }
        #expect(error?.description.contains("no.such.property") == true)
        let secret = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(
                properties: ["sasl.password": "hunter2", "acks": "sometimes"], logger: .init(label: "t"))
        }
        #expect(secret?.description.contains("acks") == true)
        #expect(secret?.description.contains("hunter2") == false)
    }
}
