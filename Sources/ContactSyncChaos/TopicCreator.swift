import CRdKafka
import Foundation

/// Creates topics on a real broker (librdkafka's CreateTopics admin call). The project's Kafka
/// layer has no such call because the worker never creates topics (operators do, README), and
/// the mock cluster is given its topics directly; an independent broker such as Tansu needs them
/// created over the protocol, as an operator's tooling would.
enum TopicCreator {
    struct Topic {
        let name: String
        let partitions: Int
        /// `cleanup.policy=compact`, as the versions topic must be (README).
        var compacted = false
    }

    /// Creates every topic and waits for the broker's answer; a topic that exists already is an error.
    static func create(_ topics: [Topic], bootstrapServers: String, timeout: Duration = .seconds(20)) throws {
        var error = [CChar](repeating: 0, count: 512)
        let conf = rd_kafka_conf_new()
        guard rd_kafka_conf_set(conf, "bootstrap.servers", bootstrapServers, &error, error.count) == RD_KAFKA_CONF_OK,
            let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &error, error.count)
        else {
            throw CreateError(message: "cannot make a Kafka client: \(text(error))")
        }
        defer { rd_kafka_destroy(rk) }
        let queue = rd_kafka_queue_new(rk)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        let milliseconds = Int32(timeout.components.seconds * 1000)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &error, error.count)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, milliseconds, &error, error.count)
        var requests: [OpaquePointer?] = []
        defer { for request in requests { rd_kafka_NewTopic_destroy(request) } }
        for topic in topics {
            guard let request = rd_kafka_NewTopic_new(topic.name, Int32(topic.partitions), 1, &error, error.count)
            else { throw CreateError(message: "topic \(topic.name): \(text(error))") }
            requests.append(request)
            if topic.compacted { _ = rd_kafka_NewTopic_set_config(request, "cleanup.policy", "compact") }
        }
        requests.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(rk, buffer.baseAddress, buffer.count, options, queue)
        }
        // The answer arrives as one event on the queue; waiting here blocks this thread, which is
        // fine for a setup step done once per stage before any worker runs.
        guard let event = rd_kafka_queue_poll(queue, Int32(timeout.components.seconds * 1000) + 5000) else {
            throw CreateError(message: "no answer to CreateTopics within \(timeout)")
        }
        defer { rd_kafka_event_destroy(event) }
        if rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw CreateError(message: "CreateTopics: \(String(cString: rd_kafka_event_error_string(event)))")
        }
        var count = 0
        let result = rd_kafka_event_CreateTopics_result(event)
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for index in 0..<count {
            let topic = results[index]
            if rd_kafka_topic_result_error(topic) != RD_KAFKA_RESP_ERR_NO_ERROR {
                let message = rd_kafka_topic_result_error_string(topic).map { String(cString: $0) } ?? "-"
                throw CreateError(message: "topic \(String(cString: rd_kafka_topic_result_name(topic))): \(message)")
            }
        }
    }

    /// A NUL-terminated error buffer librdkafka filled in.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The librdkafka this process runs on, e.g. "2.16.1" (LD_LIBRARY_PATH may have swapped it).
    static var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }

    struct CreateError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
