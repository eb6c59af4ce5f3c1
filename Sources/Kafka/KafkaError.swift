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
        code == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS.rawValue || code == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION.rawValue
            || code == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID.rawValue
    }

    public var description: String { "\(context): \(message) (\(name))" }

    /// librdkafka gave up on a message after `message.timeout.ms` (brokers down for too long).
    public var isTimeout: Bool {
        code == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue || code == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
    }
}

extension rd_kafka_resp_err_t {
    var isError: Bool { self != RD_KAFKA_RESP_ERR_NO_ERROR }
}
