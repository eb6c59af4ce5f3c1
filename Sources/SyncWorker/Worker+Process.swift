import Foundation
import Kafka
import Logging
import Metrics
import PlatformClient
import SyncCore

extension Worker {
    /// Every fetched record is tracked until it is done: applied, skipped or dead-lettered.
    func admit(_ record: KafkaRecord) async {
        await lanes.fetched(WorkItem(record: record, change: nil))
        status.update { $0.recordsIn += 1 }
        switch decoder.decode(record.inbound) {
        case .skip:
            status.update { $0.skippedTombstone += 1 }
            await finish(record, outcome: "skipped")
        case .reject(let rejection):
            // Bad input: no call, straight to the dead-letter topic (off the poll loop).
            Task {
                do {
                    try await writer.deadLetter(record, stage: "decode", reason: rejection.reason.rawValue, message: rejection.markedMessage,
                                                attempts: 0, firstFailure: Date(), eventID: nil)
                    status.update { $0.deadLettered[rejection.reason.rawValue, default: 0] += 1 }
                    Counter(label: MetricNames.deadLetters, dimensions: [("reason", rejection.reason.rawValue)]).increment()
                    await finish(record, outcome: "dead_lettered")
                } catch {
                    logger.warning("dead letter abandoned at shutdown; the record will be read again", metadata: ["offset": "\(record.offset)"])
                }
            }
        case .change(let change):
            await lanes.enqueue(WorkItem(record: record, change: change), key: change.entityKey)
        }
    }

    var writer: DurableWriter { parts.withLock { $0! }.writer }

    func finish(_ record: KafkaRecord, outcome: String) async {
        await lanes.finished(record.topicPartition, record.offset)
        Counter(label: MetricNames.records, dimensions: [("outcome", outcome), ("topic", record.topic)]).increment()
        if let ts = record.timestampMs {
            let seconds = max(0, Date().timeIntervalSince1970 - Double(ts) / 1000)
            Timer(label: MetricNames.endToEnd, preferredDisplayUnit: .seconds).recordNanoseconds(Int64(seconds * 1e9))
        }
    }

    /// One lane's batch, then the lane is free for its next one.
    func process(_ key: String, _ batch: [WorkItem]) async {
        await processBatch(key, batch)
        await lanes.complete(key)
    }

    /// Drop what the version guard says is done already, fold the rest into one change, apply
    /// it (with retries), make its version durable, then mark every record done.
    private func processBatch(_ key: String, _ batch: [WorkItem]) async {
        Gauge(label: MetricNames.inFlight).record(await lanes.inFlight)
        var running = await lanes.lastApplied(key)
        var kept: [WorkItem] = []
        for item in batch {
            let change = item.change!
            switch VersionGuard.decide(version: change.version, eventID: change.eventID, last: running) {
            case .apply:
                kept.append(item)
                let newer = running.map { change.version.isOlder(than: $0.version) == true ? $0.version : change.version } ?? change.version
                running = AppliedVersion(version: newer, eventID: change.eventID, deleted: change.isDelete, contactUUID: running?.contactUUID)
            case .duplicate:
                status.update { $0.skippedDuplicate += 1 }
                await finish(item.record, outcome: "skipped")
            case .stale:
                status.update { $0.skippedStale += 1 }
                await finish(item.record, outcome: "skipped")
            }
        }
        guard !kept.isEmpty else { return }
        if kept.count > 1 { status.update { $0.coalesced += kept.count - 1 } }
        let merged = ContactChange.merge(kept.map { $0.change! })
        if let known = await lanes.lastApplied(key), !known.deleted { handler.remember(key, uuid: known.contactUUID) }

        let outcome = await applyWithRetries(merged)
        await lanes.releaseSlot(key)
        switch outcome {
        case .applied(let result):
            let uuid: String? = switch result {
            case .created(let uuid), .updated(let uuid): uuid
            case .deleted: nil
            }
            let applied = AppliedVersion(version: merged.version, eventID: merged.eventID, deleted: merged.isDelete, contactUUID: uuid)
            do {
                try await writer.saveVersion(key, applied, sourcePartition: kept[0].record.partition)
            } catch {
                return   // shutting down: not done, read again by whoever owns the partition next
            }
            await lanes.recordApplied(key, applied)
            status.update {
                switch result {
                case .created: $0.created += 1
                case .updated: $0.updated += 1
                case .deleted: $0.deleted += 1
                }
            }
            for item in kept { await finish(item.record, outcome: "applied") }
            logger.debug("applied", metadata: ["key": "\(key)", "events": "\(kept.count)", "event_id": "\(merged.eventID)", "trace_id": "\(merged.traceparent ?? "")"])
        case .failed(let failure):
            for item in kept {
                do {
                    try await writer.deadLetter(item.record, stage: "apply", reason: failure.reason, message: failure.message,
                                                attempts: failure.attempts, firstFailure: failure.firstFailure,
                                                platform: failure.platform, eventID: item.change?.eventID)
                } catch {
                    return
                }
                status.update { $0.deadLettered[failure.reason, default: 0] += 1 }
                Counter(label: MetricNames.deadLetters, dimensions: [("reason", failure.reason)]).increment()
                await finish(item.record, outcome: "dead_lettered")
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
        let reason: String
        let message: String
        let attempts: Int
        let firstFailure: Date
        let platform: PlatformFailure?
    }

    /// Retries transient failures within the event's budget (`Retry-After` first). While the
    /// platform counts as down (most calls failing, or the token refused) it waits and probes
    /// without spending the budget: an outage is not bad data.
    func applyWithRetries(_ change: ContactChange) async -> ApplyOutcome {
        var attempts = 0
        var firstFailure: Date?
        let started = ContinuousClock.now
        var random = SystemRandomNumberGenerator()
        while true {
            if Task.isCancelled { return .abandoned }
            do {
                let result = try await handler.apply(change)
                noteSuccess()
                return .applied(result)
            } catch let error as PlatformError {
                firstFailure = firstFailure ?? Date()
                if case .unauthorized = error {
                    noteOutage("the platform refused the API token")
                    guard (try? await Task.sleep(for: .seconds(2))) != nil, !isStopping else { return .abandoned }
                    continue
                }
                guard error.isTransient else {
                    return .failed(ApplyFailure(reason: error.isURNTakenByAnotherContact ? "urn_conflict" : "platform_rejected",
                                                message: error.description, attempts: attempts + 1, firstFailure: firstFailure!,
                                                platform: PlatformFailure(status: error.status, body: error.body)))
                }
                status.update { $0.retries += 1 }
                Counter(label: MetricNames.retries).increment()
                if noteTransientFailure() {
                    // Down: probe at a gentle pace; the budget is not spent.
                    guard (try? await Task.sleep(for: max(.seconds(1), error.retryAfter ?? .zero))) != nil, !isStopping else { return .abandoned }
                    continue
                }
                attempts += 1
                switch configuration.retry.decide(attempt: attempts, elapsed: .now - started, retryAfter: error.retryAfter, using: &random) {
                case .retry(let wait):
                    guard (try? await Task.sleep(for: wait)) != nil else { return .abandoned }
                case .giveUp(let why):
                    return .failed(ApplyFailure(reason: "retries_exhausted", message: "\(error.description); \(why)", attempts: attempts,
                                                firstFailure: firstFailure!, platform: PlatformFailure(status: error.status, body: error.body)))
                }
            } catch is CancellationError {
                return .abandoned
            } catch {
                return .failed(ApplyFailure(reason: "internal_error", message: "\(error)", attempts: attempts + 1,
                                            firstFailure: firstFailure ?? Date(), platform: nil))
            }
        }
    }

    func noteSuccess() {
        consecutiveFailures.withLock { $0 = 0 }
        if !status.snapshot.platformAvailable {
            status.update { $0.platformAvailable = true }
            Gauge(label: MetricNames.platformAvailable).record(1)
            logger.info("platform available again: resuming")
        }
    }

    /// Counts a transient failure; answers whether the platform now counts as down.
    func noteTransientFailure() -> Bool {
        let failures = consecutiveFailures.withLock { count in
            count += 1
            return count
        }
        if failures >= configuration.outageThreshold {
            noteOutage("\(failures) platform calls in a row failed")
            return true
        }
        return !status.snapshot.platformAvailable
    }

    func noteOutage(_ why: String) {
        if status.snapshot.platformAvailable {
            status.update { $0.platformAvailable = false }
            Gauge(label: MetricNames.platformAvailable).record(0)
            logger.error("platform unavailable: pausing consumption, retrying until it answers", metadata: ["why": "\(why)"])
        }
    }
}
