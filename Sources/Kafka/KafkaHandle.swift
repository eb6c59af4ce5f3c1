import CRdKafka
import Foundation
import Logging

/// What librdkafka's C callbacks need from Swift, reached through the handle's opaque pointer.
final class HandleContext: @unchecked Sendable {
    let logger: Logger
    /// Set once, before the consumer subscribes; read on the polling thread.
    var rebalanceHandler: (any RebalanceHandler)?
    weak var consumer: KafkaConsumer?

    init(logger: Logger) {
        self.logger = logger
    }

    static func from(_ rk: OpaquePointer?) -> HandleContext? {
        guard let rk, let opaque = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<HandleContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// An `rd_kafka_t` with its context; destroyed exactly once.
final class KafkaHandle: @unchecked Sendable {
    let rk: OpaquePointer
    let context: HandleContext
    private let retainedContext: Unmanaged<HandleContext>
    private let destroyed = NSLock()
    private var isDestroyed = false

    init(
        type: rd_kafka_type_t, properties: KafkaProperties, logger: Logger,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) {
        let what = type == RD_KAFKA_PRODUCER ? "producer" : "consumer"
        let conf = try KafkaConfiguration.make(properties, context: "configure the Kafka \(what)")
        let context = HandleContext(logger: logger)
        let retained = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let context = HandleContext.from(rk) else { return }
            let text = "\(String(cString: facility!)): \(String(cString: message!))"
            context.logger.log(
                level: KafkaHandle.logLevel(syslog: level), "librdkafka", metadata: ["rdkafka": "\(text)"])
        }
        rd_kafka_conf_set_error_cb(conf) { _, err, reason, opaque in
            guard let opaque else { return }
            let context = Unmanaged<HandleContext>.fromOpaque(opaque).takeUnretainedValue()
            let error = KafkaError(
                rd_kafka_resp_err_t(rawValue: err), context: "librdkafka", message: String(cString: reason!))
            // Most are transient (a broker down, a connection reset); librdkafka retries them.
            context.logger.warning("kafka client error", metadata: ["error": "\(error)"])
        }
        configure(conf)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            retained.release()
            let reason = errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw KafkaError(configuration: reason, context: "create the Kafka \(what)")
        }
        self.rk = rk
        self.context = context
        retainedContext = retained
    }

    /// syslog levels (librdkafka's) to swift-log levels; librdkafka's chatter stays below info.
    static func logLevel(syslog: Int32) -> Logger.Level {
        switch syslog {
        case ...2: .error
        case 3: .warning  // LOG_ERR: connection failures and the like, which librdkafka retries
        case 4: .warning
        case 5, 6: .info
        default: .debug
        }
    }

    func destroy() {
        destroyed.lock()
        defer { destroyed.unlock() }
        guard !isDestroyed else { return }
        isDestroyed = true
        rd_kafka_destroy(rk)
        retainedContext.release()
    }

    deinit { destroy() }

    // MARK: - Metadata shared by producers, consumers and the admin

    func partitions(of topic: String, timeoutMs: Int32) throws(KafkaError) -> [Int32] {
        guard let rkt = rd_kafka_topic_new(rk, topic, nil) else {
            throw KafkaError(rd_kafka_last_error(), context: "look up topic \(topic)")
        }
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(rk, 0, rkt, &metadata, timeoutMs)
        guard !err.isError, let metadata else { throw KafkaError(err, context: "read metadata of topic \(topic)") }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt > 0 else { return [] }
        let entry = metadata.pointee.topics[0]
        if entry.err.isError { throw KafkaError(entry.err, context: "read metadata of topic \(topic)") }
        return (0..<Int(entry.partition_cnt)).map { entry.partitions[$0].id }.sorted()
    }

    func watermarks(_ tp: TopicPartition, timeoutMs: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(rk, tp.topic, tp.partition, &low, &high, timeoutMs)
        if err.isError { throw KafkaError(err, context: "query watermarks of \(tp)") }
        return (low, high)
    }
}

/// Runs blocking librdkafka calls off Swift's cooperative pool.
func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}
