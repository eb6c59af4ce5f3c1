import Kafka
import Logging

/// Canonical events (docs: events.md) the end-to-end, baseline and memory runs produce.
enum BenchEvents {
    /// One `customer.updated` event; its name carries the version, so a final state shows
    /// whether the last version won.
    static func canonical(id: String, key: String, version: Int) -> [UInt8] {
        Array(#"{"id": "\#(id)", "type": "customer.updated", "occurred_at": "2026-11-24T10:00:00Z", "version": \#(version), "data": {"id": "\#(key)", "name": "\#(name(key: key, version: version))"}}"#.utf8)
    }

    static func name(key: String, version: Int) -> String { "\(key) v\(version)" }

    /// Produces `events` keyed by entity, one version round after another, so each key's
    /// events stay on one partition in version order.
    static func produce(_ events: [(key: String, version: Int)], topic: String, bootstrapServers: String, logger: Logger) async throws {
        let producer = try KafkaProducer(properties: ["bootstrap.servers": bootstrapServers, "linger.ms": "5"], logger: logger)
        defer { producer.close() }
        for version in Set(events.map(\.version)).sorted() {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (n, event) in events.enumerated() where event.version == version {
                    let value = canonical(id: "e\(n)", key: event.key, version: event.version)
                    group.addTask { _ = try await producer.send(topic: topic, key: Array(event.key.utf8), value: value) }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Produces `versions` events for each of `keys` entities (`cus_0`…), each key's events
    /// sent one after another (each awaiting its delivery, so they land in version order),
    /// `window` keys at a time.
    static func produceBacklog(keys: Int, versions: Int, window: Int = 1_000, topic: String, bootstrapServers: String,
                               logger: Logger) async throws {
        let producer = try KafkaProducer(properties: ["bootstrap.servers": bootstrapServers, "linger.ms": "5"], logger: logger)
        defer { producer.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for k in 0..<keys {
                if k >= window { try await group.next() }
                group.addTask {
                    let key = "cus_\(k)"
                    for version in 1...versions {
                        _ = try await producer.send(topic: topic, key: Array(key.utf8), value: canonical(id: "\(key)-\(version)", key: key, version: version))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
