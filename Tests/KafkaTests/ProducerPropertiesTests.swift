import Kafka
import Logging
import Synchronization
import Testing

/// One `kafka.*` section configures the worker's consumer and producer: the producer leaves the
/// consumer's own properties out instead of warning about each at every start.
@Suite struct ProducerPropertiesTests {
    @Test func consumerPropertiesGiveTheProducerNoWarning() async throws {
        let fixture = try KafkaFixture()
        let lines = CapturedLines()
        let producer = try KafkaProducer(
            properties: [
                "bootstrap.servers": fixture.bootstrap, "group.instance.id": "pod-0", "session.timeout.ms": "45000",
                "heartbeat.interval.ms": "3000", "auto.offset.reset": "earliest",
            ], logger: Logger(label: "producer-properties") { _ in Capture(lines: lines) })
        try await producer.send(topic: "t", key: Array("k".utf8), value: Array("v".utf8))
        await producer.close()
        let warnings = lines.all.filter { $0.contains("CONFWARN") }
        #expect(warnings.isEmpty, "\(warnings)")
    }
}

private final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }
}

private struct Capture: LogHandler {
    let lines: CapturedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append("\(event.level): \(event.message) \(event.metadata ?? [:])")
    }
}
