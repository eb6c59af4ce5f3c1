import Foundation
public import Kafka
public import Logging
public import PlatformClient
public import SyncCore
public import SyncWorker

/// The validated configuration of one `contact-sync` process.
public struct Settings: Sendable, CustomStringConvertible {
    public var bootstrapServers = "localhost:9092"
    public var groupID = "contact-sync"
    public var topics: [String] = []
    public var dlqTopic = "contact-sync.dlq"
    public var versionsTopic: String?
    /// librdkafka properties given under `kafka.` (beyond the two above), passed through as is.
    public var kafkaProperties: KafkaProperties = [:]
    public var platformURL: String?
    public var platformToken: APIToken?
    public var fieldSpelling: FieldSpelling = .nameType
    public var requestTimeout: Duration = .seconds(10)
    public var maxInFlight = 64
    public var rateLimitPerSecond: Double?
    public var retry = RetryPolicy()
    public var commitInterval: Duration = .seconds(1)
    public var drainDeadline: Duration = .seconds(30)
    public var outageThreshold = 10
    public var decoder = DecoderConfiguration()
    public var mappingFile: String?
    public var httpHost = "0.0.0.0"
    public var httpPort = 9090
    public var logFormat = "auto"
    public var logLevel: Logger.Level = .info
    public var logPII = false
    public var instanceID = ProcessInfo.processInfo.hostName

    public init() {}

    /// Every librdkafka property the clients get.
    public var kafka: KafkaProperties {
        kafkaProperties.merging(["bootstrap.servers": bootstrapServers]) { $1 }
    }

    public func workerConfiguration(untilCaughtUp: Bool) -> WorkerConfiguration {
        WorkerConfiguration(kafka: kafka, groupID: groupID, topics: topics, deadLetterTopic: dlqTopic, versionsTopic: versionsTopic,
                            decoder: decoder, maxInFlight: maxInFlight, rateLimitPerSecond: rateLimitPerSecond, retry: retry,
                            commitInterval: commitInterval, drainDeadline: drainDeadline, outageThreshold: outageThreshold,
                            untilCaughtUp: untilCaughtUp, instanceID: instanceID)
    }

    public func platformOptions() throws(ConfigError) -> PlatformClient.Options {
        guard let platformURL else {
            throw ConfigError(key: "platform.url", source: "not set in flags, environment (CONTACT_SYNC_PLATFORM_URL) or file", value: nil, expected: "the platform's base URL")
        }
        guard let platformToken, !platformToken.isEmpty else {
            throw ConfigError(key: "platform.token", source: "not set (CONTACT_SYNC_PLATFORM_TOKEN or CONTACT_SYNC_PLATFORM_TOKEN_FILE)", value: nil, expected: "the platform's API token")
        }
        return PlatformClient.Options(baseURL: platformURL, token: platformToken, requestTimeout: requestTimeout,
                                      maxConnections: max(maxInFlight, 4), fieldSpelling: fieldSpelling)
    }

    /// Secrets never appear: the token prints as `<redacted>`, secret librdkafka properties too.
    public var description: String {
        let kafka = kafkaProperties.keys.sorted().map { key in
            "\(key)=\(key.contains("password") || key.contains("secret") || key.contains("key.pem") ? "<redacted>" : kafkaProperties[key]!)"
        }
        return "Settings(bootstrap_servers: \(bootstrapServers), group_id: \(groupID), topics: \(topics), dlq_topic: \(dlqTopic), "
            + "platform.url: \(platformURL ?? "-"), platform.token: \(platformToken == nil ? "-" : "<redacted>"), "
            + "max_in_flight: \(maxInFlight), kafka: [\(kafka.joined(separator: ", "))])"
    }
}
