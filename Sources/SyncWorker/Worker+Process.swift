import Foundation
import Kafka
import Logging
import Metrics
import PlatformClient
import SyncCore
import Synchronization

extension Worker {
    /// Every fetched record is tracked until it is done: applied, skipped or dead-lettered,
    /// under the lease of its partition's current assignment. A record whose partition this
    /// instance no longer owns is not admitted: its owner reads it.
    func admit(_ record: KafkaRecord) async {
        guard let lease = lanes.ownership.lease(of: record.topicPartition) else {
            logger.debug(
                "record of a partition not owned any more; left to its owner", metadata: ["record": "\(record)"])
            return
        }
        let tracked = WorkItem(record: record, change: nil, lease: lease)
        let admission = await lanes.fetched(tracked)
        guard admission != .notOwned else { return }
        // Chaos control only.
        if TestBreak.on(.commitBeforeApply) { await lanes.finished(lease, record.offset) }
        status.update { $0.recordsIn += 1 }
        guard admission != .deferred else { return }
        await dispatch(tracked, doneBefore: admission == .doneBefore)
    }

    /// Sends an admitted record on: ended at once when the partition's previous owner finished
    /// it, else to the schema registry or routed.
    func dispatch(_ tracked: WorkItem, doneBefore: Bool) async {
        if doneBefore && !TestBreak.on(.ignoreCommitMetadata) {
            await self.record(.skipped(.doneBefore), for: tracked)
            return
        }
        if let schemaRegistry, await interceptForRegistry(tracked, schemaRegistry) { return }
        await route(tracked, tracked.record.inbound)
    }

    /// The records kept while their partitions' version state was restored, of the partitions
    /// released since, sent on in offset order. `stillHeld`: partitions held when this poll
    /// began, left for the next one (whose read-ahead then counts with them); their records
    /// keep being kept behind the others meanwhile.
    func dispatchDeferred(stillHeld: Set<TopicPartition>) async {
        for partition in await lanes.deferredReady where !stillHeld.contains(partition) {
            for (item, doneBefore) in await lanes.takeDeferred(partition) {
                await dispatch(item, doneBefore: doneBefore)
            }
        }
    }

    /// Decodes a record (`inbound`: its bytes, or the registry's JSON for framed ones) and sends
    /// it on: skipped, dead-lettered before any call, or queued on its entity's lane.
    func route(_ tracked: WorkItem, _ inbound: InboundRecord) async {
        let (record, lease) = (tracked.record, tracked.lease)
        switch decoder.decode(inbound) {
        case .skip:
            await self.record(.skipped(.tombstone), for: tracked)
        case .reject(let rejection):
            // Bad input: no call, straight to the dead-letter topic (off the poll loop).
            await deadLetterBeforeAnyCall(
                tracked, reason: DeadLetterReason(rawValue: rejection.reason.rawValue),
                message: rejection.markedMessage, workspace: rejection.workspace)
        case .change(let change):
            guard let workspace = workspaces.named(change.workspace) else {
                await deadLetterBeforeAnyCall(
                    tracked, reason: .unknownWorkspace, message: unknownWorkspaceMessage(change.workspace),
                    eventID: change.eventID, workspace: change.workspace)
                return
            }
            if let problem = fieldKeyProblem(change, flavor: workspace.flavor) {
                await deadLetterBeforeAnyCall(
                    tracked, reason: .invalidFieldKey, message: problem.description, eventID: change.eventID,
                    workspace: change.workspace)
                return
            }
            await lanes.enqueue(WorkItem(record: record, change: change, lease: lease), key: change.entityKey)
        }
    }

    /// A field key that no name derives on the configured flavour would be refused by the
    /// platform when the field is created: refused here instead, before any call.
    func fieldKeyProblem(_ change: ContactChange, flavor: PlatformFlavor) -> FieldKeyProblem? {
        let patch: ContactPatch
        switch change.action {
        case .upsert(let given), .recreate(let given): patch = given
        case .delete: return nil
        }
        for key in patch.fields.keys {
            if case .failure(let problem) = FieldNaming.name(forKey: key, flavor: flavor) {
                return problem
            }
        }
        return nil
    }

    func deadLetterBeforeAnyCall(
        _ item: WorkItem, reason: DeadLetterReason, message: String, eventID: String? = nil, workspace: String? = nil
    ) async {
        let claim = Claim(lanes.ownership, [item.lease])
        await lanes.beginSideWrite(item.partition)
        Task {
            do {
                try await writer.deadLetter(
                    item.record, stage: "decode", reason: reason.rawValue, message: message,
                    attempts: 0, firstFailure: Date(), eventID: eventID, workspace: workspace, claim: claim)
                await self.record(.deadLettered(reason), for: item)
            } catch {
                logger.warning(
                    "dead letter abandoned (shutting down, or its partition revoked); the record will be read again",
                    metadata: ["offset": "\(item.record.offset)"])
            }
            await lanes.endSideWrite(item.partition)
        }
    }

    var writer: DurableWriter { parts.withLock { $0! }.writer }

    /// One lane's turn: drop what the version guard says is done already, record a change that
    /// would write the contact's last image again (no call), otherwise wait for the platform's
    /// budget, fold in what arrived meanwhile, apply, make the version durable, and free the lane.
    func process(_ key: String) async {
        let workspace = workspaces.forKey(key)
        var work = LaneWork(await lanes.take(key))
        if let source = work.source {
            work.start(from: await versions.last(key, source: source))
            await sift(&work)
        }
        var ticket: ScopeBudget.Ticket?
        if !work.kept.isEmpty, await !recordedUnchanged(key, &work, in: workspace) {
            // A batch of deletes takes no contacts.json budget: waiting for it would pace deletes
            // to the contacts scope and starve the batcher of company.
            if work.needsContactCall {
                ticket = await contactsTicket(
                    key, workspace.gate, claim: Claim(lanes.ownership, work.kept.map(\.lease)))
            }
            work.add(await lanes.take(key))
            await sift(&work)
            if work.grew, await recordedUnchanged(key, &work, in: workspace) {
                if let ticket { await workspace.gate.budget(.contacts).release(ticket) }
            } else {
                // The change is abandoned, wherever it waits, once one of its partitions is fenced.
                let budget = RetryBudget(
                    limit: configuration.retry.maxElapsed, claim: Claim(lanes.ownership, work.kept.map(\.lease)))
                await applyBatch(key, work, budget: budget, ticket: ticket, in: workspace)
            }
        }
        await lanes.complete(key)
    }

    /// A contacts-budget ticket for `key`'s call; a paced budget is waited for without a slot,
    /// after the read-ahead of a backlog (`ReadAhead`).
    /// The wait ends without a ticket (and without spending a slot) once `claim` is fenced: the
    /// partition's new owner does the work, and `applyBatch` then finds the claim gone.
    private func contactsTicket(_ key: String, _ gate: PlatformGate, claim: Claim) async -> ScopeBudget.Ticket? {
        let budget = gate.budget(.contacts)
        guard await !budget.isUnlimited else { return try? await budget.acquire() }
        await lanes.waitForBudget(key)
        // In a backlog, later events of the contact may wait further on: read first, write once.
        await lanes.readAhead()
        let ticket = try? await budget.acquire(unless: { !claim.isHeld })
        await lanes.budgetGranted(key)
        return ticket
    }

    /// Ends the records the version guard says are done (exact redeliveries, older events) and
    /// keeps the rest, advancing the running version over them.
    private func sift(_ work: inout LaneWork) async {
        for item in work.unsifted() {
            let change = item.change!
            var decision =
                TestBreak.on(.noGuard)
                ? .apply : VersionGuard.decide(version: change.version, eventID: change.eventID, last: work.running)
            // A re-sync writes the last applied version again (`Resync`); older ones stay skipped.
            if decision == .duplicate, item.isResync { decision = .apply }
            switch decision {
            case .apply: work.keep(item)
            case .duplicate: await record(.skipped(.duplicate), for: item)
            case .stale: await record(.skipped(.stale), for: item)
            }
        }
    }

    /// When the kept changes would send exactly the image the last write sent (`ImageDigest`),
    /// their version is made durable and they end as `skipped` (`unchanged`) without a call.
    /// A re-sync always writes.
    private func recordedUnchanged(_ key: String, _ work: inout LaneWork, in workspace: Workspace) async -> Bool {
        guard !TestBreak.on(.noDigest), let stored = work.stored, !stored.deleted, let last = stored.digest,
            !work.kept.contains(where: \.isResync)
        else { return false }
        guard work.digest(sortedManagedGroups: workspace.handler.sortedManagedGroups) == last else { return false }
        let merged = work.merged()
        let unchanged = AppliedVersion(
            version: merged.version, eventID: merged.eventID, deleted: false, contactUUID: stored.contactUUID,
            urns: stored.urns, digest: last)
        let claim = Claim(lanes.ownership, work.kept.map(\.lease))
        // Slots bound platform calls; this turn makes none, only the versions-topic write.
        await lanes.releaseSlot(key)
        guard await saveVersion(key, unchanged, partition: work.kept[0].record.partition, claim: claim) else {
            return true  // not done: read again by whoever owns the partition next
        }
        for item in work.kept { await record(.skipped(.unchanged), for: item) }
        return true
    }

    /// Writes `applied` to the versions topic (the producer's delivery confirmed), then to the
    /// store; `false` when the write was given up (shutting down, or the partition fenced).
    private func saveVersion(_ key: String, _ applied: AppliedVersion, partition: Int32, claim: Claim?) async -> Bool {
        let token = await versions.beginWrite(source: partition)
        let offset: Int64?
        do {
            offset = try await writer.saveVersion(key, applied, sourcePartition: partition, claim: claim)
        } catch {
            await versions.abandon(token)
            return false
        }
        await versions.record(key, applied, token: token, offset: offset)
        return true
    }

    /// Folds the kept changes into one, applies it (with retries), makes its version durable,
    /// then marks every record done.
    private func applyBatch(
        _ key: String, _ work: LaneWork, budget: RetryBudget, ticket: ScopeBudget.Ticket?, in workspace: Workspace
    ) async {
        let handler = workspace.handler
        var work = work
        let kept = work.kept
        if kept.count > 1 { status.update { $0.coalesced += kept.count - 1 } }
        let merged = work.merged()
        if let stored = work.stored, !stored.deleted {
            handler.remember(key, uuid: stored.contactUUID, urns: stored.urns)
        }

        // Deletes and memberships wait in the batcher for others to share their call, not for a
        // call slot: held there, slots would cap a batch at `maxInFlight` and keep lanes from
        // writing the contacts whose actions fill it.
        let lanes = self.lanes
        let outcome = await apply(merged, budget: budget, ticket: ticket, handler: handler) {
            await lanes.releaseSlot(key)
        }
        await lanes.releaseSlot(key)
        let claim = budget.claim
        if claim?.isHeld == false {
            // Fenced at a revocation: the partition's new owner reads these records again and
            // applies them itself; a version written now could be older than its.
            logger.warning(
                "change abandoned at revocation; the partition's new owner applies it",
                metadata: ["key": "\(key)", "events": "\(kept.count)"])
            return
        }
        switch outcome {
        case .applied(let result):
            if !result.urnConflicts.isEmpty, let last = kept.last {
                // The rest of the change counts as applied; the conflict goes to a person.
                guard await deadLetterURNConflict(last, result.urnConflicts, claim: claim) else { return }
            }
            // Only a write that left nothing out may spare the next identical one its call.
            let complete = result.urnConflicts.isEmpty && result.skippedGroupChanges == 0
            let applied = AppliedVersion(
                version: merged.version, eventID: merged.eventID, deleted: merged.isDelete, contactUUID: result.uuid,
                urns: merged.isDelete ? nil : result.urns,
                digest: complete ? work.digest(sortedManagedGroups: handler.sortedManagedGroups) : nil)
            guard await saveVersion(key, applied, partition: kept[0].record.partition, claim: claim) else {
                return  // shutting down: not done, read again by whoever owns the partition next
            }
            status.update {
                switch result.kind {
                case .created: $0.created += 1
                case .updated: $0.updated += 1
                case .deleted: $0.deleted += 1
                }
                $0.groupChangesSkipped += result.skippedGroupChanges
            }
            for item in kept { await record(.applied, for: item) }
            logger.debug(
                "applied",
                metadata: [
                    "key": "\(key)", "events": "\(kept.count)", "event_id": "\(merged.eventID)",
                    "trace_id": "\(merged.traceparent ?? "")",
                ])
        case .failed(let failure):
            for item in kept {
                do {
                    try await writer.deadLetter(
                        item.record, stage: "apply", reason: failure.reason.rawValue, message: failure.message,
                        attempts: failure.attempts, firstFailure: failure.firstFailure,
                        platform: failure.platform, eventID: item.change?.eventID, workspace: item.change?.workspace,
                        claim: claim)
                } catch {
                    return
                }
                await record(.deadLettered(failure.reason), for: item)
            }
        case .abandoned:
            return
        }
    }

    enum ApplyOutcome {
        case applied(ContactHandler.Result)
        case failed(ApplyFailure)
        /// Shutting down mid-retry: the records stay pending and are read again later.
        case abandoned
    }

    struct ApplyFailure {
        let reason: DeadLetterReason
        let message: String
        let attempts: Int
        let firstFailure: Date
        let platform: PlatformFailure?
    }

    /// Applies a change: per-call retries, budget and health live in the `PlatformGate`; what
    /// reaches here is the end of the story for this batch.
    func apply(
        _ change: ContactChange, budget: RetryBudget, ticket: ScopeBudget.Ticket?, handler: ContactHandler,
        contactCallsDone: @escaping @Sendable () async -> Void = {}
    ) async -> ApplyOutcome {
        do {
            return .applied(
                try await handler.apply(change, budget: budget, ticket: ticket, contactCallsDone: contactCallsDone))
        } catch let error as PlatformError {
            let reason: DeadLetterReason = error.isURNTakenByAnotherContact ? .urnConflict : .platformRejected
            return .failed(
                ApplyFailure(
                    reason: reason, message: error.description, attempts: budget.attempts + 1,
                    firstFailure: budget.firstFailure ?? Date(),
                    platform: PlatformFailure(status: error.status, body: error.body)))
        } catch let error as RetriesExhausted {
            return .failed(
                ApplyFailure(
                    reason: .retriesExhausted, message: error.description, attempts: error.attempts,
                    firstFailure: budget.firstFailure ?? Date(),
                    platform: PlatformFailure(status: error.last.status, body: error.last.body)))
        } catch let problem as FieldKeyProblem {
            return .failed(
                ApplyFailure(
                    reason: .invalidFieldKey, message: problem.description, attempts: 0,
                    firstFailure: Date(), platform: nil))
        } catch is Abandoned {
            return .abandoned
        } catch is CancellationError {
            return .abandoned
        } catch {
            return .failed(
                ApplyFailure(
                    reason: .internalError, message: "\(error)", attempts: budget.attempts + 1,
                    firstFailure: budget.firstFailure ?? Date(), platform: nil))
        }
    }

    /// Writes a copy of the change's last record to the dead-letter topic, reason
    /// `urn_conflict`, naming the URNs another contact holds (masked in the log).
    private func deadLetterURNConflict(_ item: WorkItem, _ urns: [String], claim: Claim?) async -> Bool {
        status.count(.urnConflicts(urns.count))
        logger.warning(
            "URNs held by another contact were left out",
            metadata: [
                "urns": "\(urns.map(Self.maskedURN))", "event_id": "\(item.change?.eventID ?? "")",
            ])
        do {
            try await writer.deadLetter(
                item.record, stage: "apply", reason: DeadLetterReason.urnConflict.rawValue,
                message:
                    "the platform left out \(urns.count) URN(s) held by another contact: \(urns.joined(separator: ", ")); the rest of the change was applied",
                attempts: 1, firstFailure: Date(), eventID: item.change?.eventID, workspace: item.change?.workspace,
                claim: claim)
        } catch {
            return false
        }
        // A copy beside the applied record, not the record's own end: counted, not finished.
        status.count(.deadLetter(.urnConflict))
        return true
    }

    /// `tel:+55829•••••22`: the scheme and the ends, enough to tell URNs apart in a log.
    static func maskedURN(_ urn: String) -> String {
        guard let colon = urn.firstIndex(of: ":") else { return "•••" }
        let scheme = urn[...colon]
        let path = urn[urn.index(after: colon)...]
        guard path.count > 6 else { return scheme + "•••" }
        return scheme + path.prefix(4) + String(repeating: "•", count: path.count - 6) + path.suffix(2)
    }
}
