import CRdKafka

/// A librdkafka failure: its error code and name, its own message, and what we were doing.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// librdkafka's `rd_kafka_resp_err_t` value (negative: client-side, positive: broker).
    public let code: Int32
    /// librdkafka's name for the code, e.g. `_MSG_TIMED_OUT` or `UNKNOWN_TOPIC_OR_PART`.
    public let name: String
    public let message: String
    /// What contact-sync was doing, e.g. `deliver to contacts.dlq`.
    public let context: String

    init(_ err: rd_kafka_resp_err_t, context: String, message: String? = nil) {
        code = err.rawValue
        name = String(cString: rd_kafka_err2name(err))
        self.message = message ?? String(cString: rd_kafka_err2str(err))
        self.context = context
    }

    /// The brokers answered that the topic does not exist (an answer, unlike a timeout).
    public var isUnknownTopic: Bool {
        code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue || code == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC.rawValue
    }

    /// An error from a librdkafka code (tests, and callers classifying codes they were given).
    public init(code: Int32, context: String = "") {
        self.init(rd_kafka_resp_err_t(rawValue: code), context: context)
    }

    init(configuration message: String, context: String) {
        code = RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue
        name = "_INVALID_ARG"
        self.message = message
        self.context = context
    }

    /// Consumes an `rd_kafka_error_t`, which the caller then no longer owns.
    init(taking error: OpaquePointer, context: String) {
        code = rd_kafka_error_code(error).rawValue
        name = String(cString: rd_kafka_error_name(error))
        message = String(cString: rd_kafka_error_string(error))
        self.context = context
        rd_kafka_error_destroy(error)
    }

    /// A commit refused because the group is rebalancing (or moved on to a new generation):
    /// nothing is lost, the offsets are committed again by whoever owns the partition next.
    public var isRebalanceConflict: Bool {
        code == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS.rawValue
            || code == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION.rawValue
            || code == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID.rawValue
    }

    public var description: String { "\(context): \(message) (\(name))" }

    /// librdkafka gave up on a message after `message.timeout.ms` (brokers down for too long).
    public var isTimeout: Bool {
        code == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue || code == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
    }
}

extension KafkaError {
    /// A produce failure that retrying the same record cannot cure: the record itself is refused
    /// (too large, invalid) or the client is not allowed to write (authorization, a fatal
    /// producer state, bad configuration). Everything else (timeouts, leader moves, brokers
    /// down) is transient. Callers must not retry a permanent failure in a loop: it would
    /// never end, and a partition would stall behind it.
    public var isPermanent: Bool { Self.permanentCodes.contains(code) }

    static let permanentCodes: Set<Int32> = Set(
        [
            RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE,
            RD_KAFKA_RESP_ERR_INVALID_RECORD,
            RD_KAFKA_RESP_ERR_INVALID_MSG, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE, RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP,
            RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS, RD_KAFKA_RESP_ERR_POLICY_VIOLATION,
            RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT,
            RD_KAFKA_RESP_ERR_UNSUPPORTED_COMPRESSION_TYPE, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
            RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
            RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR__FATAL,
            RD_KAFKA_RESP_ERR__INVALID_ARG, RD_KAFKA_RESP_ERR__INVALID_TYPE,
        ].map(\.rawValue))
}

extension rd_kafka_resp_err_t {
    var isError: Bool { self != RD_KAFKA_RESP_ERR_NO_ERROR }
}
