import Kafka
import Testing

@Suite struct AdminTests {
    @Test func watermarksAndLagFollowCommits() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("lag", partitions: 2)
        try await kafka.produce(topic: "lag", count: 7, partition: 0)
        try await kafka.produce(topic: "lag", count: 3, partition: 1)
        let admin = try KafkaAdmin(
            properties: ["bootstrap.servers": kafka.bootstrap], groupID: "g-lag", logger: kafka.logger)
        #expect(try await admin.partitions(of: "lag") == [0, 1])
        let marks = try await admin.watermarks(TopicPartition("lag", 0))
        #expect(marks.low == 0 && marks.high == 7)
        var lag = try await admin.lag(topics: ["lag"])
        #expect(lag.map(\.lag) == [7, 3])
        #expect(lag.allSatisfy { $0.committed == nil })

        let consumer = try kafka.consumer(group: "g-lag")
        try consumer.subscribe(topics: ["lag"])
        _ = try await pollUntil(consumer) { $0.count >= 10 }
        try await consumer.commit([TopicPartitionOffset("lag", 0, 5), TopicPartitionOffset("lag", 1, 3)])
        lag = try await admin.lag(topics: ["lag"])
        #expect(lag.map(\.lag) == [2, 0])
        #expect(lag.map(\.committed) == [5, 3])
        await consumer.close()
        await admin.close()
    }
}
