import Kafka
import Testing

/// `contact-sync check` on the dev-broker reported any name as an existing topic (issue 26):
/// a metadata request naming a topic creates it on a broker that auto-creates.
@Suite struct ExistingTopicsTests {
    @Test func aMissingTopicIsReportedMissingAndNotCreatedByAsking() async throws {
        let kafka = try KafkaFixture()
        try kafka.cluster.createTopic("present", partitions: 3)
        let admin = try KafkaAdmin(
            properties: ["bootstrap.servers": kafka.bootstrap], groupID: "g-exists", logger: kafka.logger)
        #expect(try await admin.existingPartitions(of: "present") == [0, 1, 2])
        #expect(try await admin.existingPartitions(of: "absent").isEmpty)
        #expect(try await admin.existingPartitions(of: "absent").isEmpty, "still absent: asking created nothing")
        // The cause: naming the topic in the request makes the mock cluster create it.
        #expect(try await admin.partitions(of: "named").isEmpty == false)
        await admin.close()
    }
}
