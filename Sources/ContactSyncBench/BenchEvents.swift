import CRdKafka

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

    /// `events` as canonical updates keyed by entity (ids `e0`, `e1`…), in order: what
    /// `WorkerHarness.produce(records:)` sends, each key's events in version order.
    static func records(_ events: [(key: String, version: Int)]) -> [(key: String, value: [UInt8]?)] {
        events.enumerated().map { n, event in
            (event.key, canonical(id: "e\(n)", key: event.key, version: event.version))
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
