import Foundation
import Kafka
public import Logging
import Metrics
public import PlatformClient
public import ServiceLifecycle
import SyncCore
import Synchronization

/// The contact-sync worker: consumes, decodes, applies through per-entity lanes, dead-letters
/// what cannot be applied, and commits an offset only when every record before it is done.
///
/// A swift-service-lifecycle `Service`: `run` returns after a graceful shutdown (stop fetching,
/// drain in-flight work up to the drain deadline, commit, leave the group, flush the producer),
/// or, with `untilCaughtUp`, once everything that was in the topics at start is committed.
public final class Worker: Service, Sendable {
    public let configuration: WorkerConfiguration
    public let status = WorkerStatus()
    let logger: Logger
    /// One client, gate and handler per workspace (one when `platform.workspaces` is not set).
    let workspaces: Workspaces
    let decoder: EventDecoder
    let lanes: Lanes
    let versions = AppliedVersions()
    let stopping = StopFlag()
    let parts = Mutex<Parts?>(nil)
    /// Partition counts of the source topics last read (`updateBudgetShare`).
    let partitionCounts = Mutex<[String: Int]>([:])
    let shareRetry = Mutex<Task<Void, Never>?>(nil)
    /// Decodes framed records, when a schema registry is configured.
    let schemaRegistry: WorkerRegistry?
    /// `--until-caught-up`'s progress lines.
    let catchUp = Mutex(CatchUpProgress())

    /// The Kafka clients, made in `run`.
    struct Parts: Sendable {
        let consumer: KafkaConsumer
        let producer: KafkaProducer
        let writer: DurableWriter
    }

    public init(configuration: WorkerConfiguration, platform: PlatformClient.Options, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let stopping = stopping
        let lanes = Lanes(maxInFlight: configuration.maxInFlight)
        self.lanes = lanes
        // Lanes holding a call slot or waiting for the contacts budget are on their way to the
        // batchers (a contacts write, then its memberships); lanes whose actions wait in one are not.
        workspaces = Workspaces(
            configuration: configuration, platform: platform, status: status, logger: logger,
            isStopping: { stopping.isSet }, feeding: { await lanes.feeding })
        decoder = EventDecoder(configuration: configuration.decoder)
        schemaRegistry = configuration.schemaRegistry.map(WorkerRegistry.init(options:))
    }

    /// Asks a running worker to stop as a graceful shutdown would (tests, `--until-caught-up`).
    public func stop() {
        stopping.set()
    }

    var isStopping: Bool { stopping.isSet }

    public func run() async throws {
        let probes = workspaces.all.map { workspace in
            Task { [self] in await TokenProbe(worker: self, workspace: workspace).run() }
        }
        defer { for probe in probes { probe.cancel() } }
        do {
            try await runPipeline()
        } catch {
            await workspaces.shutdown()
            try? await schemaRegistry?.shutdown()
            throw error
        }
        await workspaces.shutdown()
        try? await schemaRegistry?.shutdown()
    }

    private func runPipeline() async throws {
        let config = configuration
        let producer = try KafkaProducer(
            properties: config.kafka.merging(["linger.ms": "5"]) { current, _ in current }, logger: logger)
        // Kafka away at start is waited out (not ready meanwhile), as an outage during a run is.
        let waited = try await withGracefulShutdownHandler {
            try await waitForVersionsTopic(producer)
        } onGracefulShutdown: {
            self.stop()
        }
        guard let versionsPartitions = waited else {
            await producer.close(timeout: .zero)
            return
        }
        let writer = DurableWriter(
            producer: producer, deadLetterTopic: config.deadLetterTopic, versionsTopic: config.versionsTopic,
            versionsPartitions: Int32(versionsPartitions.count), instanceID: config.instanceID, logger: logger,
            status: status,
            kafka: config.kafka, redact: config.redactor(tokens: workspaces.all.map(\.client.options.token)),
            refused: config.deadLetterRefused, stopWorker: { [self] in self.stop() })
        let consumer = try KafkaConsumer(
            properties: config.consumerProperties, rebalanceHandler: RebalanceBridge(worker: self), logger: logger)
        parts.withLock { $0 = Parts(consumer: consumer, producer: producer, writer: writer) }
        await lanes.setRunner { [self] key in await self.process(key) }
        try consumer.subscribe(topics: config.topics)
        let targets = config.untilCaughtUp ? try await caughtUpTargets(consumer) : [:]
        logger.info(
            "worker started",
            metadata: ["group": "\(config.groupID)", "topics": "\(config.topics)", "instance": "\(config.instanceID)"])

        let lagReporter = Task { [self] in
            var waited: [String: Duration] = [:]
            while !isStopping {
                try await Task.sleep(for: .seconds(10))
                await reportLag(consumer)
                for workspace in workspaces.all {
                    await reportBudgets(workspace, waited: &waited)
                }
            }
        }
        defer { lagReporter.cancel() }
        try await withGracefulShutdownHandler {
            try await pollLoop(consumer: consumer, targets: targets)
        } onGracefulShutdown: {
            self.stop()
        }
        await shutdown(consumer: consumer, producer: producer)
        // A permanent refusal under dead_letter.on_refused=halt: stop with the reason, exit non-zero.
        if let why = writer.haltReason { throw WorkerError(why) }
    }

    private func pollLoop(consumer: KafkaConsumer, targets: [TopicPartition: Int64]) async throws {
        var lastCommit = ContinuousClock.now
        // Platform calls under way, sampled once a poll (lanes come and go faster than a scrape).
        let inFlightGauge = Gauge(label: MetricNames.inFlight)
        let oldestPendingGauge = Gauge(label: MetricNames.oldestPending)
        var fetch = FetchControl(
            backpressure: Backpressure(
                maxEntities: configuration.maxPendingEntities, maxBytes: configuration.maxPendingBytes))
        let pollSize = 500
        var readAhead = ReadAhead(limit: configuration.readAhead, threshold: Int64(pollSize))
        var readingAhead = false
        func setReadingAhead(_ holding: Bool, backlog: Int64) async {
            readingAhead = holding
            await lanes.setReadingAhead(holding)
            logger.info(
                holding
                    ? "reading a backlog ahead of the writes: a contact's events fold into one"
                    : "read-ahead over: writing", metadata: ["backlog": "\(backlog)"])
        }
        while !isStopping && !Task.isCancelled {
            let state = await lanes.fetchState()
            inFlightGauge.record(state.inFlight)
            let shouldPause = fetch.wantsPause(
                // With several workspaces, only when every one is down or throttled: the others' records flow.
                entities: state.entities, bytes: state.bytes, platformDegraded: workspaces.allUnhealthy(),
                throttled: await workspaces.allThrottled(),
                registryWaiting: schemaRegistry.map { !$0.hold.isEmpty } ?? false)
            if fetch.needsAssignment(wantsPause: shouldPause, held: state.held) || !state.assigned.isEmpty,
                let assignment = try? Set(consumer.assignment())
            {
                let wasPaused = fetch.isPaused
                if let step = fetch.step(
                    wantsPause: shouldPause, held: state.held, assignment: assignment, assigned: state.assigned)
                {
                    if !step.pause.isEmpty { try? consumer.pause(step.pause) }
                    if !step.resume.isEmpty { try? consumer.resume(step.resume) }
                }
                if wasPaused != fetch.isPaused { status.count(.paused(fetch.isPaused)) }
            }
            // Polling goes on while paused (paused partitions return nothing): rebalances are
            // served and the member stays within max.poll.interval.ms during a long outage.
            let records = try await consumer.poll(
                maxRecords: shouldPause ? 1 : pollSize, timeout: .milliseconds(shouldPause ? 10 : 100))
            // Held before this poll's records are admitted (their lanes must not reach the
            // budget first), let go after (the backlog's last records fold in too).
            let backlog = configuration.readAhead > .zero ? consumer.unreadBacklog() : 0
            let holding = readAhead.update(
                backlog: backlog, polled: records.count, fetchPaused: shouldPause, restoring: !state.held.isEmpty,
                now: .now)
            if holding, !readingAhead { await setReadingAhead(true, backlog: backlog) }
            for record in records { await admit(record) }
            await dispatchDeferred(stillHeld: state.held)
            if !holding, readingAhead { await setReadingAhead(false, backlog: backlog) }
            if ContinuousClock.now - lastCommit >= configuration.commitInterval {
                oldestPendingGauge.record(await lanes.oldestPendingSeconds)
                await commit(consumer)
                lastCommit = .now
                if configuration.untilCaughtUp, await isCaughtUp(consumer, targets) {
                    status.update { $0.caughtUp = true }
                    let done = status.snapshot
                    logger.info(
                        "caught up: everything present at start is committed",
                        metadata: [
                            "records": "\(done.recordsIn)", "applied": "\(done.applied)",
                            "skipped_unchanged": "\(done.skippedUnchanged)",
                            "skipped_duplicate_or_stale": "\(done.skippedDuplicate + done.skippedStale)",
                            "dead_lettered": "\(done.deadLetteredTotal)", "api_calls": "\(done.apiCalls)",
                        ])
                    return
                }
            }
        }
    }

    /// Stop fetching, give every partition up as a revocation does (drain up to the deadline,
    /// fence, commit), leave the group, flush.
    private func shutdown(consumer: KafkaConsumer, producer: KafkaProducer) async {
        let deadline = ContinuousClock.now + configuration.drainDeadline
        await lanes.setReadingAhead(false)  // no poll sets it any more
        let abandoned = await relinquish(lanes.ownership.partitions, drainingUntil: deadline, consumer: consumer)
        await consumer.close()
        await producer.close()
        logger.info("worker stopped", metadata: ["abandoned": "\(abandoned)"])
    }

    /// A workspace's budget gauges (`waited`: the wait totals last reported, by scope and workspace).
    private func reportBudgets(_ workspace: Workspace, waited: inout [String: Duration]) async {
        for scope in PlatformScope.allCases {
            let budget = workspace.gate.budget(scope)
            guard await !budget.isUnlimited else { continue }
            let dims = [("scope", scope.rawValue)] + workspace.dimensions
            Gauge(label: MetricNames.budgetUsed, dimensions: dims).record(await budget.used)
            Gauge(label: MetricNames.budgetAllowance, dimensions: dims).record(await budget.allowance)
            let total = await budget.waited
            let key = "\(workspace.label)/\(scope.rawValue)"
            FloatingPointCounter(label: MetricNames.budgetWaitSeconds, dimensions: dims)
                .increment(by: (total - waited[key, default: .zero]).seconds)
            waited[key] = total
        }
    }

    /// `contactsync_consumer_lag` per assigned partition: high watermark minus committed offset.
    func reportLag(_ consumer: KafkaConsumer) async {
        guard let assignment = try? consumer.assignment(), !assignment.isEmpty,
            let committed = try? await consumer.committed(assignment)
        else { return }
        for offset in committed {
            guard let marks = try? await consumer.watermarks(offset.topicPartition, timeout: .seconds(2)) else {
                continue
            }
            let lag = max(0, marks.high - max(offset.offset, marks.low))
            // Revoked while this ran: its gauge went with it (`RebalanceBridge.release`).
            guard lanes.ownership.lease(of: offset.topicPartition) != nil else { continue }
            lagGauge(offset.topicPartition).record(lag)
        }
    }

    /// `contactsync_consumer_lag` of one partition.
    func lagGauge(_ partition: TopicPartition) -> Gauge {
        Gauge(
            label: MetricNames.consumerLag,
            dimensions: [("topic", partition.topic), ("partition", String(partition.partition))],
            factory: configuration.metricsFactory ?? MetricsSystem.factory)
    }

    /// Commits what is done: the next offset of each partition, and in the metadata what is
    /// done past it. Outside a revocation (`revoking`), nothing is sent while the group
    /// rebalances (`KafkaConsumer.isRebalancing`): the next periodic commit, or the
    /// revocation's, makes it. Answers whether the commit went through (or had nothing to do).
    @discardableResult
    func commit(_ consumer: KafkaConsumer, only: Set<TopicPartition>? = nil, revoking: Bool = false) async -> Bool {
        guard revoking || !consumer.isRebalancing else { return false }
        let (offsets, metadata) = await lanes.commitPlan(only)
        if revoking, let writer = parts.withLock({ $0?.writer }) {
            // Also where the next owner reads it if the broker drops the commit's metadata or
            // refuses this commit (whether or not the commit has anything new to say).
            await writer.saveDone(await lanes.done(only), waitingAtMost: .seconds(5))
        }
        guard !offsets.isEmpty else { return true }
        do {
            try await consumer.commit(offsets, metadata: metadata)
            await lanes.didCommit(offsets, metadata: metadata)
            status.count(.commit)
            if revoking {
                // What the next owner starts from: this instance's last word on the partitions.
                logger.info(
                    "committed for the partitions given up",
                    metadata: [
                        "offsets": "\(offsets.map { "\($0.topic)[\($0.partition)]@\($0.offset)" })",
                        "done_past_them":
                            "\(metadata.map { "\($0.key): \($0.value.prefix(120))" }.sorted())",
                    ])
            }
            return true
        } catch {
            // Refused during a rebalance: the next periodic commit (or the revocation's) makes
            // it again; at worst the next owner starts from the commit before.
            logger.warning("commit failed", metadata: ["error": "\(error)", "offsets": "\(offsets)"])
            return false
        }
    }
}

/// Set once when the worker is asked to stop; read from any task.
final class StopFlag: Sendable {
    private let flag = Atomic(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}

struct WorkerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
