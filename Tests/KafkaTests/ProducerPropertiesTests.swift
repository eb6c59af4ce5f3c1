import ContactSyncTesting
import Kafka
import Logging
import Testing

/// One `kafka.*` section configures the worker's consumer and producer: the producer leaves the
/// consumer's own properties out instead of warning about each at every start.
@Suite struct ProducerPropertiesTests {
    @Test func consumerPropertiesGiveTheProducerNoWarning() async throws {
        let fixture = try KafkaFixture()
        let lines = LogLines()
        let producer = try KafkaProducer(
            properties: [
                "bootstrap.servers": fixture.bootstrap, "group.instance.id": "pod-0", "session.timeout.ms": "45000",
                "heartbeat.interval.ms": "3000", "auto.offset.reset": "earliest",
            ], logger: lines.logger(label: "producer-properties"))
        try await producer.send(topic: "t", key: Array("k".utf8), value: Array("v".utf8))
        await producer.close()
        let warnings = lines.all.filter { $0.contains("CONFWARN") }
        #expect(warnings.isEmpty, "\(warnings)")
    }
}
