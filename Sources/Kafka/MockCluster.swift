import CRdKafka
public import Logging

/// librdkafka's in-process mock Kafka cluster, listening on loopback TCP.
///
/// Real clients (this module's, kcat, confluent-kafka in another process) connect to
/// `bootstrapServers` and speak the Kafka protocol to it. It does not implement CreateTopics:
/// create topics here with `createTopic`.
public final class MockCluster: @unchecked Sendable {
    private let handle: KafkaHandle
    private let cluster: OpaquePointer
    /// `127.0.0.1:PORT,…`, one address per broker.
    public let bootstrapServers: String
    /// Broker ids are 1…`brokerCount`.
    public let brokerCount: Int

    /// - Throws: `KafkaError` when librdkafka cannot start the cluster (no free loopback port).
    public init(brokers: Int = 1, logger: Logger) throws(KafkaError) {
        // The cluster runs on the threads of a client handle of its own.
        handle = try KafkaHandle(type: RD_KAFKA_PRODUCER, properties: [:], logger: logger)
        guard let cluster = rd_kafka_mock_cluster_new(handle.rk, Int32(brokers)) else {
            throw KafkaError(configuration: "rd_kafka_mock_cluster_new failed", context: "start the mock cluster")
        }
        self.cluster = cluster
        brokerCount = brokers
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    /// Creates `name` with `partitions` partitions (an existing topic is left as it is).
    /// - Throws: `KafkaError` when the cluster refuses (e.g. more replicas than brokers).
    public func createTopic(_ name: String, partitions: Int = 1, replicationFactor: Int = 1) throws(KafkaError) {
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        if err.isError { throw KafkaError(err, context: "create mock topic \(name)") }
    }

    /// Takes a broker down: its connections close and it refuses new ones until `setBrokerUp`.
    /// - Throws: `KafkaError` for a broker id the cluster does not have.
    public func setBrokerDown(_ broker: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_broker_set_down(cluster, broker)
        if err.isError { throw KafkaError(err, context: "take mock broker \(broker) down") }
    }

    /// - Throws: `KafkaError` for a broker id the cluster does not have.
    public func setBrokerUp(_ broker: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_broker_set_up(cluster, broker)
        if err.isError { throw KafkaError(err, context: "bring mock broker \(broker) up") }
    }

    /// Every broker down (or up), for outage scenarios.
    /// - Throws: `KafkaError` when the cluster refuses the change.
    public func setAllBrokers(up: Bool) throws(KafkaError) {
        for broker in 1...Int32(brokerCount) {
            if up { try setBrokerUp(broker) } else { try setBrokerDown(broker) }
        }
    }

    /// Makes the next requests of `apiKey` fail with `errors`, one per request, in order.
    public func pushRequestErrors(apiKey: KafkaAPIKey, errors: [Int32]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        rd_kafka_mock_push_request_errors_array(cluster, apiKey.rawValue, codes.count, &codes)
    }

    /// Drops the errors still waiting for requests of `apiKey`: an outage ended at a moment of
    /// the caller's choosing rather than after a count of requests.
    public func clearRequestErrors(apiKey: KafkaAPIKey) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey.rawValue)
    }

    /// Moves a partition's leadership to `broker`, so one topic can be cut off by taking its
    /// leader down while the others stay reachable.
    /// - Throws: `KafkaError` for an unknown topic, partition or broker.
    public func setPartitionLeader(_ topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker)
        if err.isError {
            throw KafkaError(err, context: "move leader of mock \(topic)[\(partition)] to broker \(broker)")
        }
    }

    /// Pins the coordinator of a consumer group (`type` "group") or transaction to `broker`.
    /// - Throws: `KafkaError` for a broker id the cluster does not have.
    public func setCoordinator(group: String, broker: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_coordinator_set(cluster, "group", group, broker)
        if err.isError { throw KafkaError(err, context: "pin coordinator of group \(group) to broker \(broker)") }
    }

    /// Adds `milliseconds` of round-trip time to every request to `broker`.
    /// - Throws: `KafkaError` for a broker id the cluster does not have.
    public func setRoundTripTime(broker: Int32, milliseconds: Int) throws(KafkaError) {
        let err = rd_kafka_mock_broker_set_rtt(cluster, broker, Int32(milliseconds))
        if err.isError { throw KafkaError(err, context: "set RTT of mock broker \(broker)") }
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        handle.destroy()
    }
}

/// Kafka protocol request types, for `MockCluster.pushRequestErrors`.
public enum KafkaAPIKey: Int16, Sendable {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case offsetCommit = 8
    case offsetFetch = 9
    case
        findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case leaveGroup = 13
    case syncGroup = 14
}

/// Kafka error codes used in tests and fault injection.
public enum KafkaErrorCode {
    public static let notLeaderForPartition: Int32 = RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue
    public static let requestTimedOut: Int32 = RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue
    public static let topicAuthorizationFailed: Int32 = RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED.rawValue
    public static let messageTooLarge: Int32 = RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE.rawValue
    public static let notCoordinator: Int32 = RD_KAFKA_RESP_ERR_NOT_COORDINATOR.rawValue
}
