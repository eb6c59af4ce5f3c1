import Kafka
import Logging
import Metrics
import PlatformClient
import SyncCore
import Synchronization

/// Hands librdkafka's rebalance callbacks to the worker.
struct RebalanceBridge: RebalanceHandler {
    let worker: Worker

    /// Open the version guard's store of each new versions partition and bring it up to the
    /// topic's end in the background: the callback returns at once, the new partitions are held
    /// (not fetched, their lanes take no call slot) until their store is ready, and the other
    /// partitions go on.
    func partitionsAssigned(_ partitions: [TopicPartition]) async {
        Counter(label: MetricNames.rebalances).increment()
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

    /// Finish (or, past the drain deadline, abandon) the work of the partitions leaving, and
    /// commit what is done before librdkafka gives them up.
    func partitionsRevoked(_ partitions: [TopicPartition]) async {
        Counter(label: MetricNames.rebalances).increment()
        let leaving = Set(partitions)
        let deadline = ContinuousClock.now + worker.configuration.drainDeadline
        await worker.lanes.dropQueued(leaving)
        while await worker.lanes.applying(leaving) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        // Past the deadline, lanes still applying stop retrying and record nothing; a call
        // already on the wire cannot be recalled, so it is waited for (up to a request timeout)
        // before the partition goes: otherwise it could land after the new owner's newer write.
        if await worker.lanes.abandon(leaving) > 0 {
            let wire = ContinuousClock.now + worker.client.options.requestTimeout + .seconds(1)
            while await worker.lanes.applying(leaving) > 0, ContinuousClock.now < wire {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        if let consumer = worker.parts.withLock({ $0?.consumer }) {
            await worker.commit(consumer, only: leaving)
        }
        await worker.lanes.forget(leaving)
        await worker.versions.revoke(sources: partitions)
        worker.status.update { $0.assignedPartitions = max(0, $0.assignedPartitions - partitions.count) }
        await worker.updateBudgetShare()
    }
}

extension Worker {
    /// Every instance of the group takes the part of the workspace's budget that its assigned
    /// partitions are of all the topics' partitions: no coordinator, and the parts add up to
    /// at most the whole (recomputed at every rebalance).
    func updateBudgetShare() async {
        guard let consumer = parts.withLock({ $0?.consumer }) else { return }
        var total = 0
        for topic in configuration.topics {
            total += (try? await consumer.partitions(of: topic).count) ?? 0
        }
        let assigned = status.snapshot.assignedPartitions
        let share = total > 0 ? min(1, Double(assigned) / Double(total)) : 1
        await gate.setShare(share)
        status.update { $0.budgetShare = share }
        for scope in PlatformScope.allCases {
            let allowance = await gate.budget(scope).allowance
            if allowance != .max {
                Gauge(label: MetricNames.budgetAllowance, dimensions: [("scope", scope.rawValue)]).record(allowance)
            }
        }
        logger.info(
            "budget share", metadata: ["share": "\(share)", "assigned": "\(assigned)", "partitions": "\(total)"])
    }
}
