import Foundation
public import Kafka
public import Logging
public import PlatformClient
public import SchemaRegistry
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
    public var flavor: PlatformFlavor = .textit
    /// `nil`: the flavour's spelling.
    public var fieldSpelling: FieldSpelling?
    public var budgetContacts: RequestRate = PlatformFlavor.textit.defaultBudget
    public var budgetV2: RequestRate = PlatformFlavor.textit.defaultBudget
    public var managedGroups: [String] = []
    /// `platform.workspaces`: several workspaces, each event naming its own
    /// (`decoder.workspaceFrom`); empty: the one workspace of the `platform.*` settings.
    public var workspaces: [WorkspaceConfiguration] = []
    public var maxPendingEntities = 10_000
    public var maxPendingBytes = 32 << 20
    public var readAhead: Duration = .seconds(5)
    public var requestTimeout: Duration = .seconds(10)
    public var maxInFlight = 64
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
    public var deadLetterRefused: RefusedWritePolicy = .halt
    public var stateDirectory: String?
    /// Where framed (Avro, JSON Schema) records are decoded; `nil`: no registry.
    public var schemaRegistry: SchemaRegistryHTTP.Options?
    /// Values given in two places, and which one won: logged at start-up, so a clash between,
    /// say, a token in the file and a token file in the environment is not silent.
    public var notes: [String] = []

    public init() {}

    /// Every librdkafka property the clients get.
    public var kafka: KafkaProperties {
        kafkaProperties.merging(["bootstrap.servers": bootstrapServers]) { $1 }
    }

    public func workerConfiguration(untilCaughtUp: Bool) -> WorkerConfiguration {
        var configuration = WorkerConfiguration(
            kafka: kafka, groupID: groupID, topics: topics, deadLetterTopic: dlqTopic, versionsTopic: versionsTopic,
            decoder: decoder, maxInFlight: maxInFlight, flavor: flavor, budgetContacts: budgetContacts,
            budgetV2: budgetV2, managedGroups: managedGroups, maxPendingEntities: maxPendingEntities,
            maxPendingBytes: maxPendingBytes, retry: retry,
            commitInterval: commitInterval, drainDeadline: drainDeadline, outageThreshold: outageThreshold,
            untilCaughtUp: untilCaughtUp, instanceID: instanceID)
        configuration.readAhead = readAhead
        configuration.deadLetterRefused = deadLetterRefused
        configuration.stateDirectory = stateDirectory
        configuration.schemaRegistry = schemaRegistry
        configuration.workspaces = workspaces
        return configuration
    }

    /// Every API token: the single workspace's and each named one's (all redacted in output).
    public var tokens: [APIToken] { (platformToken.map { [$0] } ?? []) + workspaces.map(\.platform.token) }

    /// The single workspace's client options; with `platform.workspaces`, the first workspace's
    /// when `platform.url` or `platform.token` is not set (each workspace has its own).
    public func platformOptions() throws(ConfigError) -> PlatformClient.Options {
        if let first = workspaces.first, platformURL == nil || platformToken?.isEmpty ?? true {
            return first.platform
        }
        guard let platformURL else {
            throw ConfigError(
                key: "platform.url", source: "not set in flags, environment (CONTACT_SYNC_PLATFORM_URL) or file",
                value: nil, expected: "the platform's base URL")
        }
        guard let platformToken, !platformToken.isEmpty else {
            throw ConfigError(
                key: "platform.token",
                source: "not set (CONTACT_SYNC_PLATFORM_TOKEN or CONTACT_SYNC_PLATFORM_TOKEN_FILE)", value: nil,
                expected: "the platform's API token")
        }
        return PlatformClient.Options(
            baseURL: platformURL, token: platformToken, requestTimeout: requestTimeout,
            maxConnections: max(maxInFlight, 4), fieldSpelling: fieldSpelling ?? flavor.fieldSpelling)
    }

    /// Secrets never appear: the token prints as `<redacted>`, secret-looking librdkafka
    /// properties too, and a URL's userinfo and token-like query parts.
    public var description: String {
        let kafka = kafkaProperties.keys.sorted().map { key in
            // Any secret-looking name, misspelled or unknown ones included (`sasl.pasword`).
            "\(key)=\(Redactor.looksSecret(key) ? Redactor.marker : Redactor.scrubShapes(kafkaProperties[key]!))"
        }
        return
            "Settings(bootstrap_servers: \(bootstrapServers), group_id: \(groupID), topics: \(topics), dlq_topic: \(dlqTopic), "
            + "platform.url: \(platformURL.map(Redactor.scrubShapes) ?? "-"), platform.token: \(platformToken == nil ? "-" : "<redacted>"), "
            + (workspaces.isEmpty
                ? ""
                : "platform.workspaces: \(workspaces.map(\.name)) (tokens <redacted>), platform.workspace_from: \(decoder.workspaceFrom.map { "\($0)" } ?? "-"), ")
            + "max_in_flight: \(maxInFlight), kafka: [\(kafka.joined(separator: ", "))]"
            + (schemaRegistry.map { ", schema_registry: \(Redactor.scrubShapes($0.description))" } ?? "") + ")"
    }
}
