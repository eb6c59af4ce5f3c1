import CoreMetrics
public import Kafka
public import PlatformClient
public import SchemaRegistry
public import SyncCore

/// Everything the worker needs, already validated (the CLI builds it from file, env and flags).
public struct WorkerConfiguration: Sendable {
    /// librdkafka properties for every client (`bootstrap.servers`, SASL/SSL, tuning).
    public var kafka: KafkaProperties
    public var groupID: String
    public var topics: [String]
    public var deadLetterTopic: String
    /// Compacted topic holding the last applied version per entity (default `<group>.versions`).
    public var versionsTopic: String
    public var decoder: DecoderConfiguration
    /// Platform calls in flight at once, across all keys.
    public var maxInFlight: Int
    /// Which platform: field-create spelling and field-key rules (error texts of every flavour
    /// are recognised whatever this says).
    public var flavor: PlatformFlavor
    /// This workspace's request budget per throttle scope, shared by every instance of the
    /// group (each paces at the share of its assigned partitions). `.unlimited` for a
    /// platform with throttling off; the CLI defaults to the flavour's rates.
    public var budgetContacts: RequestRate
    public var budgetV2: RequestRate
    /// Groups contact-sync owns: a contact's membership among them follows its events' `groups`.
    /// Groups events name are added; only these are ever removed.
    public var managedGroups: [String]
    /// Several workspaces (`platform.workspaces`), each event naming its own through
    /// `decoder.workspaceFrom`; empty: the one workspace of `flavor`, the budgets and
    /// `managedGroups` above, with the client options the worker is given.
    public var workspaces: [WorkspaceConfiguration] = []
    /// Backpressure: fetching pauses past this many entities with pending records, or past
    /// `maxPendingBytes` of them, and resumes below half. Folding happens among pending records,
    /// so these bound how hard a backlog folds while calls wait for budget.
    public var maxPendingEntities: Int
    public var maxPendingBytes: Int
    /// How long lanes hold their contacts calls, at the start of a backlog, while the consumer
    /// reads ahead (`ReadAhead`): a contact's later events then fold into its one write.
    /// `.zero`: every change goes as soon as the budget allows.
    public var readAhead: Duration = .seconds(5)
    /// Backoff steps and the time budget of one event's retries (`maxAttempts` is not used: the
    /// budget is time).
    public var retry: RetryPolicy
    public var commitInterval: Duration
    /// How long shutdown and revocation wait for in-flight work before giving it up.
    public var drainDeadline: Duration
    /// Consecutive transient failures after which the platform counts as down (a high share of
    /// failures among recent calls counts as degraded too, see `PlatformHealth`).
    public var outageThreshold: Int
    /// Share of failed calls among recent ones at which the platform counts as degraded
    /// (fetching pauses, retries stop spending events' budgets); above 1: never by share.
    public var degradeAtFailureRate = 0.4
    /// Stop once every partition assigned at start is committed up to its end at that time.
    public var untilCaughtUp: Bool
    /// Identifies this instance in dead-letter headers and logs.
    public var instanceID: String
    /// What happens when the dead-letter or versions topic refuses a record permanently.
    public var deadLetterRefused: RefusedWritePolicy = .halt
    /// Where the version guard's state stores live (`state.dir`): a persistent volume per
    /// instance makes restarts warm (only the versions topic's tail is read). `nil`: a private
    /// temporary directory, emptied when the worker stops (every start restores cold).
    public var stateDirectory: String?
    /// The Confluent-compatible schema registry framed records are decoded through (`nil`:
    /// none; a framed record then fails as the JSON it is not).
    public var schemaRegistry: SchemaRegistryHTTP.Options?
    /// Tests only: where the per-partition lag gauges go (`nil`: the process's `MetricsSystem`),
    /// so a test can see one removed at a revocation.
    var metricsFactory: (any MetricsFactory)?

    /// Tests only: awaited before each attempt to restore a versions partition's state, so a
    /// test can hold a restore open as a large versions topic would, or fail it (by throwing).
    var beforeRestore: (@Sendable (Int32) async throws -> Void)?

    public init(
        kafka: KafkaProperties, groupID: String, topics: [String], deadLetterTopic: String,
        versionsTopic: String? = nil,
        decoder: DecoderConfiguration = DecoderConfiguration(), maxInFlight: Int = 64, flavor: PlatformFlavor = .textit,
        budgetContacts: RequestRate = .unlimited, budgetV2: RequestRate = .unlimited, managedGroups: [String] = [],
        maxPendingEntities: Int = 10_000, maxPendingBytes: Int = 32 << 20,
        retry: RetryPolicy = RetryPolicy(), commitInterval: Duration = .seconds(1),
        drainDeadline: Duration = .seconds(30),
        outageThreshold: Int = 10, untilCaughtUp: Bool = false, instanceID: String
    ) {
        self.kafka = kafka
        self.groupID = groupID
        self.topics = topics
        self.deadLetterTopic = deadLetterTopic
        self.versionsTopic = versionsTopic ?? "\(groupID).versions"
        self.decoder = decoder
        self.maxInFlight = maxInFlight
        self.flavor = flavor
        self.budgetContacts = budgetContacts
        self.budgetV2 = budgetV2
        self.managedGroups = managedGroups
        self.maxPendingEntities = maxPendingEntities
        self.maxPendingBytes = maxPendingBytes
        self.retry = retry
        self.commitInterval = commitInterval
        self.drainDeadline = drainDeadline
        self.outageThreshold = outageThreshold
        self.untilCaughtUp = untilCaughtUp
        self.instanceID = instanceID
    }
}

extension WorkerConfiguration {
    /// What the worker's consumer gets unless `kafka` says otherwise. librdkafka prefetches up
    /// to 100,000 messages or 64 MB by default, the largest part of the worker's memory over a
    /// backlog; 8 MB is still seconds of work (contact-sync-bench memory, 1M events of ~190 B:
    /// peak RSS 105–114 → 86–89 MB, same throughput).
    static let consumerDefaults: KafkaProperties = [
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "cooperative-sticky",
        "queued.max.messages.kbytes": "8192",
    ]

    /// The consumer's librdkafka properties: `kafka` over `consumerDefaults`, with the group and
    /// manual commits forced (offsets are committed only once records are done).
    var consumerProperties: KafkaProperties {
        var properties = kafka.merging(Self.consumerDefaults) { given, _ in given }
        properties["group.id"] = groupID
        properties["enable.auto.commit"] = "false"
        return properties
    }
}
