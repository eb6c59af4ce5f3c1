import CRdKafka

/// librdkafka properties by their own dotted names (`bootstrap.servers`, `security.protocol`,
/// `sasl.password`, …), passed through unchanged so SASL, SSL and tuning need no code here.
public typealias KafkaProperties = [String: String]

enum KafkaConfiguration {
    /// Property names whose values never appear in a description or a log line.
    static let secretNames: Set<String> = [
        "sasl.password", "ssl.key.password", "ssl.keystore.password",
        "sasl.oauthbearer.client.secret", "ssl.key.pem", "ssl_key",
    ]

    /// The properties librdkafka's CONFIGURATION.md marks `C` (consumer only): a producer given
    /// one ignores it with a `CONFWARN` line.
    static let consumerOnlyNames: Set<String> = [
        "group.id", "group.instance.id", "partition.assignment.strategy", "session.timeout.ms",
        "heartbeat.interval.ms", "group.protocol.type", "group.protocol", "group.remote.assignor",
        "coordinator.query.interval.ms", "max.poll.interval.ms", "enable.auto.commit", "auto.commit.interval.ms",
        "enable.auto.offset.store", "queued.min.messages", "queued.max.messages.kbytes", "fetch.wait.max.ms",
        "fetch.queue.backoff.ms", "fetch.message.max.bytes", "max.partition.fetch.bytes", "fetch.max.bytes",
        "fetch.min.bytes", "fetch.error.backoff.ms", "offset.store.method", "isolation.level",
        "enable.partition.eof", "check.crcs", "auto.offset.reset", "consume.callback.max.messages",
    ]

    /// `properties` with secret values replaced, for logs and error messages.
    static func redacted(_ properties: KafkaProperties) -> [String: String] {
        properties.reduce(into: [:]) { result, entry in
            result[entry.key] = secretNames.contains(entry.key) ? "<redacted>" : entry.value
        }
    }

    /// A new `rd_kafka_conf_t` holding `properties`; an unknown property or a bad value throws
    /// naming the property and librdkafka's reason.
    static func make(_ properties: KafkaProperties, context: String) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, name, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let shown = secretNames.contains(name) ? "<redacted>" : value
                let reason = errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                throw KafkaError(
                    configuration: "kafka.\(name) = \"\(shown)\" is refused by librdkafka: \(reason)", context: context)
            }
        }
        return conf
    }
}
