import ContactSyncTesting
import Foundation
import Kafka
import PlatformSandbox

/// Which broker a scenario's workers talk to.
enum BrokerKind: String, Sendable {
    /// librdkafka's mock cluster, in this process, over loopback TCP.
    case mock
    /// Tansu, an independent broker process (`TansuBroker`).
    case tansu
}

/// The world of a scenario whose workers run as a group of named instances (StatefulSet pods):
/// the sandbox, a broker of `BrokerKind`, and the real binary, each instance with its own name
/// and state directory kept across its restarts (a pod's persistent volume).
struct RollingStage: Sendable {
    let harness: WorkerHarness
    let tansu: TansuBroker?
    let workers: WorkerProcess
    let bootstrapServers: String
    /// Over the defaults of every producer that writes to this broker.
    let producerProperties: KafkaProperties
    /// Each instance's settings over the stage's, `{i}` standing for the instance's number.
    let perInstance: [String: String]
    let stateRoot: URL
    var sandbox: Sandbox { harness.sandbox }
    var group: String { workers.group }

    /// - Parameters:
    ///   - workerEnvironment: settings for every instance over the stage's (`--worker-env`), e.g.
    ///     `CONTACT_SYNC_KAFKA_GROUP_INSTANCE_ID=rolling-{i}`.
    init(
        name: String, broker: BrokerKind, partitions: Int, chaos: SandboxChaos, breaking: String?,
        workerEnvironment: [String: String]
    ) async throws {
        // On Tansu the harness's mock cluster stays idle: only its sandbox is used.
        harness = try await WorkerHarness(brokers: 1, partitions: partitions, chaos: chaos)
        let group = "chaos-\(name)"
        var settings = WorkerProcess.quick
        // contact-sync owns the traffic's groups, so a contact holds exactly its newest event's.
        settings["CONTACT_SYNC_PLATFORM_MANAGED_GROUPS"] = "Customers,Cohort 0,Cohort 1,Cohort 2"
        settings["CONTACT_SYNC_TEST_BREAK"] = breaking
        let log = ProcessInfo.processInfo.environment["CHAOS_WORKER_LOG"]
        if log != nil { settings["CONTACT_SYNC_LOG_LEVEL"] = "info" }
        // The children get no environment of this process's but what is named: they must load
        // the librdkafka this process loads (Tansu needs a newer one than Debian's).
        settings["LD_LIBRARY_PATH"] = ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"]
        switch broker {
        case .mock:
            tansu = nil
            bootstrapServers = harness.cluster.bootstrapServers
            producerProperties = [:]
        case .tansu:
            let tansu = try await TansuBroker(name: name)
            self.tansu = tansu
            bootstrapServers = tansu.bootstrapServers
            producerProperties = TansuBroker.producerProperties
            do {
                try tansu.createTopics([
                    .init(name: harness.topic, partitions: partitions), .init(name: harness.dlq, partitions: 1),
                    .init(name: "\(group).versions", partitions: partitions, compacted: true),
                ])
            } catch {
                tansu.stop()
                throw error
            }
            settings["CONTACT_SYNC_KAFKA_BOOTSTRAP_SERVERS"] = tansu.bootstrapServers
            // The worker's own producer writes the versions and dead-letter topics, which it and
            // this judge read up to their watermarks.
            for (property, value) in TansuBroker.producerProperties {
                settings["CONTACT_SYNC_KAFKA_" + property.uppercased().replacingOccurrences(of: ".", with: "_")] = value
            }
        }
        perInstance = workerEnvironment
        workers = try WorkerProcess(harness: harness, group: group, settings: settings, log: log)
        stateRoot = FileManager.default.temporaryDirectory.appendingPathComponent("chaos-\(name)-\(UUID())")
        try FileManager.default.createDirectory(at: stateRoot, withIntermediateDirectories: true)
    }

    /// Starts instance `index` (`run`, not `--until-caught-up`: a deployed worker runs until told
    /// to stop) under its stable name, `rolling-<index>`, with its own state directory.
    func start(instance index: Int) throws -> Process {
        let name = "rolling-\(index)"
        var extra = [
            "CONTACT_SYNC_INSTANCE_ID": name,
            "CONTACT_SYNC_STATE_DIR": stateRoot.appendingPathComponent(name).path,
        ]
        for (key, value) in perInstance { extra[key] = value.replacingOccurrences(of: "{i}", with: "\(index)") }
        return try workers.start(["run"], extra: extra)
    }

    /// The group's committed offset and the high watermark of each source partition.
    func progress() async throws -> [(partition: Int32, committed: Int64?, high: Int64)] {
        let admin = try KafkaAdmin(
            properties: ["bootstrap.servers": bootstrapServers], groupID: group, logger: harness.logger)
        do {
            let lag = try await admin.lag(topics: [harness.topic])
            await admin.close()
            return lag.map { ($0.partition.partition, $0.committed, $0.high) }
        } catch {
            await admin.close()
            throw error
        }
    }

    /// Whether the broker keeps what is committed beside an offset (the commit's metadata): the
    /// worker says there which records past the committed offset are done, so a partition's
    /// next owner does not dead-letter them again. Tansu 0.6.0 keeps the offset only (its
    /// OffsetFetch answers no metadata), so there a record done out of order is done again.
    func keepsCommitMetadata() async throws -> Bool {
        let probe = try KafkaConsumer(
            properties: ["bootstrap.servers": bootstrapServers, "group.id": "metadata-probe-\(UUID())"],
            logger: harness.logger)
        let partition = TopicPartition(harness.topic, 0)
        do {
            try await probe.commit(
                [TopicPartitionOffset(partition.topic, partition.partition, 0)], metadata: [partition: "cs1:0:1"])
            let kept = try await probe.committedWithMetadata([partition]).first?.metadata == "cs1:0:1"
            await probe.close()
            return kept
        } catch {
            await probe.close()
            throw error
        }
    }

    /// Every record of the dead-letter topic, with its headers.
    func deadLetters() async throws -> [KafkaRecord] {
        let reader = try KafkaConsumer(
            properties: ["bootstrap.servers": bootstrapServers, "group.id": "reader-\(UUID())"], logger: harness.logger)
        let records = try await TopicReader(consumer: reader, topic: harness.dlq).readAll()
        await reader.close()
        return records
    }

    func shutdown() async {
        tansu?.stop()
        try? FileManager.default.removeItem(at: stateRoot)
        await harness.shutdown()
    }
}
