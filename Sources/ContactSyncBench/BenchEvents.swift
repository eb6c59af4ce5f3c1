import CRdKafka
import Kafka
import Logging

/// Canonical events (docs: events.md) the end-to-end, baseline and memory runs produce.
enum BenchEvents {
    /// One `customer.updated` event; its name carries the version, so a final state shows
    /// whether the last version won.
    static func canonical(id: String, key: String, version: Int) -> [UInt8] {
        Array(
            #"{"id": "\#(id)", "type": "customer.updated", "occurred_at": "2026-11-24T10:00:00Z", "version": \#(version), "data": {"id": "\#(key)", "name": "\#(name(key: key, version: version))"}}"#
                .utf8)
    }

    static func name(key: String, version: Int) -> String { "\(key) v\(version)" }

    /// Produces `events` keyed by entity, one version round after another, so each key's
    /// events stay on one partition in version order.
    static func produce(
        _ events: [(key: String, version: Int)], topic: String, bootstrapServers: String, logger: Logger
    ) async throws {
        let producer = try KafkaProducer(
            properties: ["bootstrap.servers": bootstrapServers, "linger.ms": "5"], logger: logger)
        defer { producer.close() }
        for version in Set(events.map(\.version)).sorted() {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (n, event) in events.enumerated() where event.version == version {
                    let value = canonical(id: "e\(n)", key: event.key, version: event.version)
                    group.addTask {
                        _ = try await producer.send(topic: topic, key: Array(event.key.utf8), value: value)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Produces `versions` events for each of `keys` entities (`cus_0`…) through plain
    /// librdkafka calls from one thread, key after key: each key's events lie together on its
    /// partition, in version order (the idempotent producer keeps the order it was given).
    static func produceBacklog(keys: Int, versions: Int, topic: String, bootstrapServers: String) throws {
        var err = [CChar](repeating: 0, count: 256)
        let conf = KafkaBench.conf(bootstrapServers, ["linger.ms": "5", "enable.idempotence": "true"])
        guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &err, err.count) else {
            throw BenchError(
                "cannot make a producer for the backlog: \(err.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })"
            )
        }
        defer { rd_kafka_destroy(rk) }
        for k in 0..<keys {
            let key = "cus_\(k)"
            for version in 1...versions {
                KafkaBench.rawProduce(
                    rk, topic: topic, key: Array(key.utf8),
                    value: canonical(id: "\(key)-\(version)", key: key, version: version))
            }
        }
        let flushed = rd_kafka_flush(rk, 120_000)
        guard flushed == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw BenchError(
                "the backlog was not delivered within 2 minutes (\(String(cString: rd_kafka_err2str(flushed))))")
        }
    }
}
