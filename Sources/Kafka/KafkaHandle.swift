import CRdKafka
import Foundation
import Logging
import Synchronization

/// What librdkafka's C callbacks need from Swift, reached through the handle's opaque pointer.
final class HandleContext: Sendable {
    let logger: Logger
    /// Called on the polling thread, inside `rd_kafka_consumer_poll`.
    let rebalanceHandler: (any RebalanceHandler)?

    /// Partitions revoked since the poll in progress began (see `KafkaConsumer.poll`).
    private let revokedInPoll = Mutex<[TopicPartition]>([])
    /// Whether the group ever handed this member an assignment (see `KafkaConsumer.close`).
    let wasAssigned = Atomic(false)
    /// Whether a JoinGroup answer was ever handled (the join state left `wait-join` for anything
    /// but `init`): from then on librdkafka holds an assignor, whose state 2.0.2 destroys unchecked.
    let hasJoined = Atomic(false)
    /// The consumer group handler's join state (`steady` between rebalances), as librdkafka's
    /// `cgrp` debug context reports each change (see `KafkaConsumer.isRebalancing`).
    private let joinState = Mutex("init")
    /// Debug lines were turned on only to follow the join state: none is logged.
    let dropsDebugLines: Bool

    init(logger: Logger, rebalanceHandler: (any RebalanceHandler)?, dropsDebugLines: Bool = false) {
        self.logger = logger
        self.rebalanceHandler = rebalanceHandler
        self.dropsDebugLines = dropsDebugLines
    }

    var groupJoinState: String { joinState.withLock { $0 } }

    /// Reads `Group "g" changed join state wait-join -> wait-metadata (state up)`.
    func noteJoinStateLine(_ message: String) {
        guard let marker = message.range(of: "changed join state "),
            let arrow = message.range(of: " -> ", range: marker.upperBound..<message.endIndex)
        else { return }
        let state = message[arrow.upperBound...].prefix { !$0.isWhitespace }
        guard !state.isEmpty else { return }
        if message[marker.upperBound..<arrow.lowerBound] == "wait-join" && state != "init" {
            hasJoined.store(true, ordering: .releasing)
        }
        joinState.withLock { $0 = String(state) }
    }

    func noteRevoked(_ partitions: [TopicPartition]) {
        revokedInPoll.withLock { $0 += partitions }
    }

    /// The partitions revoked since the last call.
    func takeRevoked() -> [TopicPartition] {
        revokedInPoll.withLock { revoked in
            defer { revoked = [] }
            return revoked
        }
    }

    static func from(_ rk: OpaquePointer?) -> HandleContext? {
        guard let rk, let opaque = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<HandleContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// An `rd_kafka_t` with its context; destroyed exactly once. The one type that holds the C
/// handle, so the one `@unchecked Sendable`: librdkafka's API is thread-safe on an `rd_kafka_t`,
/// and `destroy` is guarded.
///
/// librdkafka calls that wait for a broker (commit, flush, metadata, watermarks, committed
/// offsets) run on `blockingQueue` through `blocking(_:)`, never on Swift's cooperative pool,
/// whose few threads (two on a 2-core machine) would otherwise stall every task for up to a
/// timeout. A consumer's poll runs on a queue of its own: the rebalance callback blocks that
/// one while the Swift handler runs, and the handler itself commits through this one.
final class KafkaHandle: @unchecked Sendable {
    let rk: OpaquePointer
    let context: HandleContext
    private let retainedContext: Unmanaged<HandleContext>
    private let isDestroyed = Mutex(false)
    private let blockingQueue: DispatchQueue

    init(
        type: rd_kafka_type_t, properties: KafkaProperties, logger: Logger,
        rebalanceHandler: (any RebalanceHandler)? = nil, dropsDebugLines: Bool = false,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) {
        let what = type == RD_KAFKA_PRODUCER ? "producer" : "consumer"
        blockingQueue = DispatchQueue(label: "kafka-\(what)-blocking")
        let conf = try KafkaConfiguration.make(properties, context: "configure the Kafka \(what)")
        let context = HandleContext(
            logger: logger, rebalanceHandler: rebalanceHandler, dropsDebugLines: dropsDebugLines)
        let retained = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let context = HandleContext.from(rk) else { return }
            if strcmp(facility!, "CGRPJOINSTATE") == 0 { context.noteJoinStateLine(String(cString: message!)) }
            if level >= 7 && context.dropsDebugLines { return }
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

    /// Never destroys the C handle (see `KafkaConsumer.close`): its threads and memory stay
    /// until the process ends, and its context with them, since librdkafka may still call back.
    func leak() {
        isDestroyed.withLock { $0 = true }
    }

    func destroy() {
        isDestroyed.withLock { destroyed in
            guard !destroyed else { return }
            destroyed = true
            rd_kafka_destroy(rk)
            retainedContext.release()
        }
    }

    /// Runs a librdkafka call that waits for a broker on this handle's blocking queue, off
    /// Swift's cooperative pool; calls run one at a time, in order (commits stay ordered).
    func blocking<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            blockingQueue.async {
                continuation.resume(returning: Result { () throws(E) -> T in try work() })
            }
        }
        return try result.get()
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
