import Kafka
import Testing

@Suite struct FailureTests {
    @Test func aDeliveryFailureReachesTheCaller() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("fail", partitions: 1)
        let producer = try kafka.producer(["message.timeout.ms": "1500"])
        let warm = try await producer.send(topic: "fail", key: nil, value: Array("warm".utf8))
        #expect(warm.offset == 0)
        try kafka.cluster.setAllBrokers(up: false)
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(topic: "fail", key: nil, value: Array("lost?".utf8))
        }
        #expect(error?.isTimeout == true, "\(String(describing: error))")
        try kafka.cluster.setAllBrokers(up: true)
        await producer.close()
        // A new producer (as the worker makes after a fatal delivery error) delivers again.
        let fresh = try kafka.producer()
        let after = try await fresh.send(topic: "fail", key: nil, value: Array("back".utf8))
        #expect(after.offset == 1, "the record that timed out was never written")
        await fresh.close()
    }

    @Test func aBatchWithAnUndeliverableRecordThrows() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("batch-fail", partitions: 1)
        let producer = try kafka.producer(["message.timeout.ms": "1500"])
        try await producer.send(topic: "batch-fail", key: nil, value: Array("warm".utf8))
        try kafka.cluster.setAllBrokers(up: false)
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(
                (0..<10).map { OutgoingRecord(topic: "batch-fail", key: nil, value: Array("r\($0)".utf8)) })
        }
        #expect(error?.isTimeout == true, "\(String(describing: error))")
        try kafka.cluster.setAllBrokers(up: true)
        await producer.close()
    }

    @Test func aBrokerDownIsAWaitNotACrashAndNothingIsLost() async throws {
        let kafka = try KafkaFixture(brokers: 1)
        try kafka.cluster.createTopic("outage", partitions: 2)
        let consumer = try kafka.consumer(group: "g-outage")
        try consumer.subscribe(topics: ["outage"])
        try await kafka.produce(topic: "outage", count: 20)
        var seen = Set(try await pollUntil(consumer) { $0.count >= 20 }.compactMap { text($0.key) })
        try kafka.cluster.setBrokerDown(1)
        let during = try await pollUntil(consumer, deadline: .seconds(2)) { _ in false }
        #expect(during.isEmpty)
        // A producer started during the outage keeps its records queued until the broker is back.
        let producer = try kafka.producer(["message.timeout.ms": "60000"])
        let sends = Task {
            for i in 20..<40 {
                try await producer.send(topic: "outage", key: Array("k\(i)".utf8), value: Array("v\(i)".utf8))
            }
        }
        try kafka.cluster.setBrokerUp(1)
        try await sends.value
        await producer.close()
        // Until every key is seen, not for 20 more records: the outage may have cost the
        // consumer its assignment, and the uncommitted k0…k19 then come again first (at least
        // once: seen twice is fine, missing is not).
        let before = seen
        seen.formUnion(
            try await pollUntil(consumer) { before.union($0.compactMap { text($0.key) }).count >= 40 }.compactMap {
                text($0.key)
            })
        #expect(seen == Set((0..<40).map { "k\($0)" }))
        await consumer.close()
    }

    @Test func injectedProduceErrorsAreRetriedByTheClient() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("inject", partitions: 1)
        let producer = try kafka.producer()
        _ = try await producer.send(topic: "inject", key: nil, value: Array("warm".utf8))
        kafka.cluster.pushRequestErrors(
            apiKey: .produce, errors: [KafkaErrorCode.requestTimedOut, KafkaErrorCode.notLeaderForPartition])
        let report = try await producer.send(topic: "inject", key: nil, value: Array("after errors".utf8))
        #expect(report.offset == 1, "idempotent retries store it once")
        await producer.close()
    }
}
