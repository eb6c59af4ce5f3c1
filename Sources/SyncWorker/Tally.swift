import Foundation
import Metrics

/// Something the worker counts in its status (readiness, the demo, tests) and in its metrics
/// (Prometheus) alike: `WorkerStatus.count(_:)` updates both, so they cannot drift apart.
/// A record's end is counted by `Worker.record(_:for:)`.
enum Tally: Sendable {
    /// A platform call answered or failed, by endpoint, method and status.
    /// `workspace`: a named workspace's calls carry its name as a label (the single one's none).
    case apiCall(endpoint: String, method: String, status: String, duration: Duration, workspace: String? = nil)
    /// A 429: the scope pauses.
    case throttled(PlatformScope, workspace: String? = nil)
    /// A transient failure that will be tried again.
    case retry(workspace: String? = nil)
    /// URNs another contact holds, left out of a write.
    case urnConflicts(Int)
    case commit
    case paused(Bool)
    case deadLetter(DeadLetterReason)
    /// A framed record the registry could not decode, by `RegistryFailure.Reason` (every
    /// unanswered lookup of a waiting record counts, as each retry of a platform call does).
    case registryFailure(String)
}

extension WorkerStatus {
    func count(_ tally: Tally) {
        switch tally {
        case .apiCall(let endpoint, let method, let status, let duration, let workspace):
            update {
                $0.apiCalls += 1
                if let workspace { $0.apiCallsByWorkspace[workspace, default: 0] += 1 }
            }
            let dims =
                [("endpoint", endpoint), ("method", method), ("status", status)]
                + (workspace.map { [("workspace", $0)] } ?? [])
            Counter(label: MetricNames.apiCalls, dimensions: dims).increment()
            Timer(label: MetricNames.apiRequestSeconds, dimensions: dims, preferredDisplayUnit: .seconds)
                .recordNanoseconds(
                    duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
        case .throttled(let scope, let workspace):
            update { $0.throttled += 1 }
            Counter(
                label: MetricNames.throttled,
                dimensions: [("scope", scope.rawValue)] + (workspace.map { [("workspace", $0)] } ?? [])
            ).increment()
        case .retry(let workspace):
            update { $0.retries += 1 }
            Counter(label: MetricNames.retries, dimensions: workspace.map { [("workspace", $0)] } ?? []).increment()
        case .urnConflicts(let count):
            update { $0.urnConflicts += count }
            Counter(label: MetricNames.urnConflicts).increment(by: count)
        case .commit:
            update { $0.commits += 1 }
            Counter(label: MetricNames.commits).increment()
            Gauge(label: MetricNames.lastCommit).record(Date().timeIntervalSince1970)
        case .paused(let paused):
            update { $0.paused = paused }
            Gauge(label: MetricNames.paused).record(paused ? 1 : 0)
        case .deadLetter(let reason):
            update { $0.deadLettered[reason.rawValue, default: 0] += 1 }
            Counter(label: MetricNames.deadLetters, dimensions: [("reason", reason.rawValue)]).increment()
        case .registryFailure(let reason):
            update { $0.schemaRegistryFailures += 1 }
            Counter(label: MetricNames.schemaRegistryFailures, dimensions: [("reason", reason)]).increment()
        }
    }
}
