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

    /// Fails when the backlog is read with a request (0 for a partition whose fetch answered),
    /// or from the committed offset instead of the position `poll` reached.
    @Test func theUnreadBacklogIsTheFetchedEndPastThePosition() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("backlog", partitions: 1)
        try await kafka.produce(topic: "backlog", count: 600, partition: 0)
        let consumer = try kafka.consumer(group: "g-backlog")
        #expect(consumer.unreadBacklog() == 0, "nothing assigned, nothing fetched")
        try consumer.subscribe(topics: ["backlog"])
        var handed = 0
        while handed == 0 { handed += try await consumer.poll(maxRecords: 100, timeout: .milliseconds(200)).count }
        #expect(handed <= 100)
        #expect(consumer.unreadBacklog() == Int64(600 - handed))
        while handed < 600 { handed += try await consumer.poll(maxRecords: 500, timeout: .milliseconds(200)).count }
        #expect(consumer.unreadBacklog() == 0)
        try await kafka.produce(topic: "backlog", count: 50, partition: 0)
        var more = 0
        while more == 0 { more += try await consumer.poll(maxRecords: 10, timeout: .milliseconds(200)).count }
        #expect(consumer.unreadBacklog() == Int64(50 - more), "the end moves with the next fetch")
        await consumer.close()
    }
}
