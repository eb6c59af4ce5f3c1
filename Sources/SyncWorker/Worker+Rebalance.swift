import Kafka
import Logging
import Metrics
import PlatformClient
import SyncCore
import Synchronization

/// Hands librdkafka's rebalance callbacks to the worker. Ownership is one concept from here
/// on: an assignment grants a lease per partition (`Ownership`), and a revocation fences it once
/// the partition's work is drained or given up, so nothing admitted under it lands later.
struct RebalanceBridge: RebalanceHandler {
    let worker: Worker

    /// Grant the new partitions' leases, read what their previous owners committed (and the
    /// offsets they finished past it, from the commit's metadata), then open the version guard's
    /// store of each new versions partition and bring it up to the topic's end in the
    /// background: the callback returns at once, the new partitions are held (not fetched,
    /// their lanes take no call slot) until their store is ready, and the other partitions go on.
    func partitionsAssigned(_ partitions: [TopicPartition]) async {
        Counter(label: MetricNames.rebalances).increment()
        worker.lanes.ownership.grant(partitions)
        await worker.lanes.start(await worker.committedOffsets(partitions))
        worker.status.update { $0.assignedPartitions += partitions.count }
        await worker.updateBudgetShare()
        guard let writer = worker.parts.withLock({ $0?.writer }) else { return }
        let (fresh, restoring) = await worker.versions.assign(
            sources: partitions, versionsPartitions: writer.versionsPartitions)
        await worker.lanes.assigned(Set(partitions), held: restoring)
        await worker.recordRestoring()
        for versionsPartition in fresh {
            await worker.versions.startRestore(versionsPartition) { generation in
                await worker.restoreState(
                    versionsPartition, generation: generation, partitions: writer.versionsPartitions)
            }
        }
    }

    /// Finish (or, past the drain deadline, fence and abandon) the work of the partitions
    /// leaving, and commit what is done, with what is done past it in the metadata, before
    /// librdkafka gives them up. At shutdown the worker relinquished them already: nothing is
    /// left to do here.
    func partitionsRevoked(_ partitions: [TopicPartition]) async {
        Counter(label: MetricNames.rebalances).increment()
        let leaving = Set(partitions)
        await worker.relinquish(
            leaving, drainingUntil: .now + worker.configuration.drainDeadline,
            consumer: worker.parts.withLock { $0?.consumer })
    }

    /// The member was thrown out of the group: the partitions may be another member's already,
    /// so nothing is committed or waited for; their work is fenced at once.
    func partitionsLost(_ partitions: [TopicPartition]) async {
        Counter(label: MetricNames.rebalances).increment()
        let leaving = Set(partitions)
        worker.lanes.ownership.fence(leaving)
        await worker.lanes.dropQueued(leaving)
        worker.logger.warning(
            "partitions lost (session expired or member fenced): their work in flight is abandoned and nothing of theirs is committed",
            metadata: ["partitions": "\(partitions)"])
        await worker.waitForCallsOnTheWire(leaving)
        await worker.release(leaving)
    }
}

extension Worker {
    /// Gives `partitions` up, as a revocation and a shutdown both do: no lane starts a call for
    /// them from now on (its dead letter or version could land after the commit, and the next
    /// owner would do it again), their queued records are dropped, the work in flight is drained
    /// until `deadline`, then fenced (lanes waiting for budget give their records up; a call
    /// already on the wire cannot be recalled, so it is waited for, up to a request timeout: it
    /// could otherwise land after the next owner's newer write). What is done is committed, with
    /// what is done past it in the metadata, and the partitions' state is released.
    /// - Returns: how many records were given up undone (their next owner reads them again).
    @discardableResult
    func relinquish(
        _ partitions: Set<TopicPartition>, drainingUntil deadline: ContinuousClock.Instant, consumer: KafkaConsumer?
    ) async -> Int {
        // Only what is still owned: at shutdown the worker gave everything up before closing the
        // consumer, whose revocation then names the same partitions again.
        let partitions = partitions.intersection(lanes.ownership.partitions)
        guard !partitions.isEmpty else { return 0 }
        await lanes.beginRevoke(partitions)
        await lanes.dropQueued(partitions)
        while await lanes.applying(partitions) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if await lanes.applying(partitions) > 0 {
            lanes.ownership.fence(partitions)
            await waitForCallsOnTheWire(partitions)
        }
        if let consumer { await commit(consumer, only: partitions, revoking: true) }
        let abandoned = await lanes.pending(in: partitions)
        await release(partitions)
        return abandoned
    }

    /// The partitions are not this instance's any more: their leases fenced, their lanes, stores
    /// and lag gauges gone, the budget share recomputed (not at shutdown: no share is left to
    /// pace, and the lookups could wait for a broker that is down).
    func release(_ leaving: Set<TopicPartition>) async {
        guard !leaving.isEmpty else { return }
        lanes.ownership.fence(leaving)
        await lanes.endRevoke(leaving)
        // Lanes of the leaving partitions still waiting for budget leave without spending it.
        await sweepAbandonedBudgetWaits()
        await lanes.forget(leaving)
        await versions.revoke(sources: Array(leaving))
        status.update { $0.assignedPartitions = max(0, $0.assignedPartitions - leaving.count) }
        if !isStopping { await updateBudgetShare() }
        // A partition this instance no longer owns has no lag of its: its new owner reports it.
        for partition in leaving { lagGauge(partition).destroy() }
    }

    /// Wakes the budget waits whose claims were fenced, in every workspace's contacts scope.
    func sweepAbandonedBudgetWaits() async {
        for workspace in workspaces.all { await workspace.gate.budget(.contacts).sweepAbandoned() }
    }

    /// Lanes of fenced partitions stop retrying, but a call already sent still ends: waited for
    /// (up to a request timeout) so it cannot land after the new owner's write.
    func waitForCallsOnTheWire(_ partitions: Set<TopicPartition>) async {
        let timeout = workspaces.all.map(\.client.options.requestTimeout).max() ?? .seconds(10)
        let wire = ContinuousClock.now + timeout + .seconds(1)
        while await lanes.applying(partitions) > 0, ContinuousClock.now < wire {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// What the group committed for `partitions`, with the metadata; `nil` each when the
    /// coordinator did not answer (the partition then starts without knowing what its previous
    /// owner finished past the offset, and does that again).
    func committedOffsets(_ partitions: [TopicPartition]) async -> [TopicPartition: CommittedOffset?] {
        var result: [TopicPartition: CommittedOffset?] = [:]
        for partition in partitions { result[partition] = .some(nil) }
        guard let consumer = parts.withLock({ $0?.consumer }), !partitions.isEmpty else { return result }
        do {
            for committed in try await consumer.committedWithMetadata(partitions) {
                result[committed.partition] = committed
            }
        } catch {
            logger.warning(
                "could not read the committed offsets of new partitions; what their previous owner finished past its commit is done again",
                metadata: ["error": "\(error)"])
        }
        return result
    }

    /// Every instance of the group takes the part of the workspace's budget that its assigned
    /// partitions are of all the topics' partitions: no coordinator, and the parts add up to
    /// at most the whole (recomputed at every rebalance). A topic whose partition count cannot
    /// be read counts with the last count read; never read, the share is the smallest (one
    /// call a window) until a lookup answers, tried again every few seconds: counting it as 0
    /// partitions would make this instance's share the whole workspace's budget.
    func updateBudgetShare() async {
        guard let consumer = parts.withLock({ $0?.consumer }) else { return }
        var total = 0
        var unknown: [String] = []
        for topic in configuration.topics {
            if let count = await partitionCount(consumer, topic) {
                partitionCounts.withLock { $0[topic] = count }
                total += count
            } else if let known = partitionCounts.withLock({ $0[topic] }) {
                total += known
            } else {
                unknown.append(topic)
            }
        }
        let assigned = status.snapshot.assignedPartitions
        let share = unknown.isEmpty && total > 0 ? min(1, Double(assigned) / Double(total)) : 0
        // Every workspace's budget is shared the same way: each instance's part of each
        // workspace is its part of the partitions (records of all workspaces share them).
        for workspace in workspaces.all {
            await workspace.gate.setShare(share)
            for scope in PlatformScope.allCases {
                let allowance = await workspace.gate.budget(scope).allowance
                if allowance != .max {
                    Gauge(
                        label: MetricNames.budgetAllowance,
                        dimensions: [("scope", scope.rawValue)] + workspace.dimensions
                    ).record(allowance)
                }
            }
        }
        status.update { $0.budgetShare = share }
        if unknown.isEmpty {
            logger.info(
                "budget share", metadata: ["share": "\(share)", "assigned": "\(assigned)", "partitions": "\(total)"])
        } else {
            logger.warning(
                "cannot read the partition count of a topic; pacing at the smallest budget share until it answers",
                metadata: ["topics": "\(unknown)", "retry_in": "5 s"])
            scheduleShareRetry()
        }
    }

    /// The topic's partition count, 0 when the brokers say it does not exist (yet), `nil` when
    /// they did not answer.
    private func partitionCount(_ consumer: KafkaConsumer, _ topic: String) async -> Int? {
        do {
            return try await consumer.partitions(of: topic).count
        } catch  where error.isUnknownTopic {
            return 0
        } catch {
            return nil
        }
    }

    private func scheduleShareRetry() {
        shareRetry.withLock { task in
            guard task == nil else { return }
            task = Task { [self] in
                try? await Task.sleep(for: .seconds(5))
                shareRetry.withLock { $0 = nil }
                guard !isStopping else { return }
                await updateBudgetShare()
            }
        }
    }
}
