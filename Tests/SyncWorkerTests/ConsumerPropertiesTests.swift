import Testing

@testable import SyncWorker

struct ConsumerPropertiesTests {
    func configuration(kafka: [String: String]) -> WorkerConfiguration {
        WorkerConfiguration(
            kafka: kafka, groupID: "g", topics: ["customers"], deadLetterTopic: "g.dlq", instanceID: "test")
    }

    @Test func prefetchIsCappedUnlessConfigured() {
        let defaults = configuration(kafka: ["bootstrap.servers": "b:9092"]).consumerProperties
        #expect(defaults["queued.max.messages.kbytes"] == "8192")
        #expect(defaults["auto.offset.reset"] == "earliest")
        #expect(defaults["bootstrap.servers"] == "b:9092")

        let given = configuration(kafka: ["queued.max.messages.kbytes": "65536", "auto.offset.reset": "latest"])
            .consumerProperties
        #expect(given["queued.max.messages.kbytes"] == "65536")
        #expect(given["auto.offset.reset"] == "latest")
    }

    @Test func groupAndManualCommitsAreForced() {
        let properties = configuration(kafka: ["group.id": "other", "enable.auto.commit": "true"]).consumerProperties
        #expect(properties["group.id"] == "g")
        #expect(properties["enable.auto.commit"] == "false")
    }
}
