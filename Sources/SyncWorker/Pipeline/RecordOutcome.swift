import Foundation
import Kafka
import Metrics

/// How a record's journey ended. Every fetched record ends in exactly one of these, and only
/// then may its offset be committed.
enum RecordOutcome: Sendable, Equatable {
    /// Its change reached the platform (alone or folded with others of its entity).
    case applied
    case skipped(SkipReason)
    /// Written to the dead-letter topic, the producer's delivery confirmed.
    case deadLettered(DeadLetterReason)

    enum SkipReason: String, Sendable {
        /// A tombstone or an event type the worker does not act on.
        case tombstone
        /// The same event id was applied already (an exact redelivery).
        case duplicate
        /// Older than what was applied (late, redelivered or replayed).
        case stale
        /// Done already by an earlier owner of the partition, past the offset it committed
        /// (the commit's metadata says which, see `DoneOffsets`).
        case doneBefore = "done_before"
        /// Newer, but the image it writes is the one the last write sent (`ImageDigest`): its
        /// version was recorded without a call.
        case unchanged
    }

    /// The `outcome` label of `contactsync_records_total`.
    var label: String {
        switch self {
        case .applied: "applied"
        case .skipped: "skipped"
        case .deadLettered: "dead_lettered"
        }
    }
}

/// Why a record went to the dead-letter topic: the `x-contact-sync-reason` header, the metric's
/// `reason` label and the key of `WorkerSnapshot.deadLettered`.
struct DeadLetterReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    let rawValue: String
    init(rawValue: String) { self.rawValue = rawValue }
    var description: String { rawValue }

    static let platformRejected = Self(rawValue: "platform_rejected")
    static let urnConflict = Self(rawValue: "urn_conflict")
    static let retriesExhausted = Self(rawValue: "retries_exhausted")
    static let invalidFieldKey = Self(rawValue: "invalid_field_key")
    static let internalError = Self(rawValue: "internal_error")
    /// The event names no workspace, or one not in `platform.workspaces`.
    static let unknownWorkspace = Self(rawValue: "unknown_workspace")
}

extension Worker {
    /// Ends a record: its offset may now be committed, and the status and the metrics count it
    /// (both here, so they cannot disagree).
    func record(_ outcome: RecordOutcome, for item: WorkItem) async {
        let record = item.record
        await lanes.finished(item.lease, record.offset)
        switch outcome {
        case .applied: break  // counted per change by kind (created, updated, deleted)
        case .skipped(.tombstone): status.update { $0.skippedTombstone += 1 }
        case .skipped(.duplicate): status.update { $0.skippedDuplicate += 1 }
        case .skipped(.stale): status.update { $0.skippedStale += 1 }
        case .skipped(.doneBefore): status.update { $0.skippedDoneBefore += 1 }
        case .skipped(.unchanged): status.update { $0.skippedUnchanged += 1 }
        case .deadLettered(let reason): status.count(.deadLetter(reason))
        }
        if case .skipped(let reason) = outcome {
            Counter(label: MetricNames.skipped, dimensions: [("reason", reason.rawValue), ("topic", record.topic)])
                .increment()
        }
        Counter(label: MetricNames.records, dimensions: [("outcome", outcome.label), ("topic", record.topic)])
            .increment()
        if let ts = record.timestampMs {
            let seconds = max(0, Date().timeIntervalSince1970 - Double(ts) / 1000)
            Timer(label: MetricNames.endToEnd, preferredDisplayUnit: .seconds).recordNanoseconds(Int64(seconds * 1e9))
        }
    }
}
