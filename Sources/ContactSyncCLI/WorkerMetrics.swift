import Foundation
import Kafka
import Metrics
import Prometheus
import SyncWorker

/// How the worker's metrics are exported: histogram buckets that reach the alert thresholds, and
/// the series the alerts and the dashboard read set from the start (absent series make rules that
/// cannot fire and panels that show no data).
enum WorkerMetrics {
    /// For ages and restores that can take minutes to an hour: the default buckets stop at 10 s,
    /// which caps every percentile there (ContactSyncEndToEndSlow's 300 s could never be seen).
    static let longBuckets: [Duration] = [
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300),
        .seconds(600), .seconds(1200), .seconds(1800), .seconds(3600),
    ]

    static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            MetricNames.endToEnd: longBuckets, MetricNames.stateRestoreSeconds: longBuckets,
        ]
        return factory
    }

    /// Records the starting value of every series a rule or panel reads that the worker would
    /// otherwise create only at its first change. The worker's own updates then move the same
    /// series (one series per name and labels in the registry).
    ///
    /// `contactsync_last_commit_timestamp_seconds` starts at the process's start time: "no commit
    /// since" then means "since start" for an instance that never commits (ContactSyncNoCommits).
    static func exportAtStart(
        startedAt: Date, deadLetterTopic: String, versionsTopic: String, policy: String, workspaces: [String] = [],
        factory: any MetricsFactory = MetricsSystem.factory
    ) {
        Gauge(label: MetricNames.paused, factory: factory).record(0)
        // One series per workspace when there are several (a family is either labelled or not).
        if workspaces.isEmpty {
            Gauge(label: MetricNames.platformAvailable, factory: factory).record(1)
        }
        for workspace in workspaces {
            Gauge(label: MetricNames.platformAvailable, dimensions: [("workspace", workspace)], factory: factory)
                .record(1)
        }
        Gauge(label: MetricNames.lastCommit, factory: factory).record(startedAt.timeIntervalSince1970)
        Gauge(label: MetricNames.stateRestoring, factory: factory).record(0)
        Gauge(label: MetricNames.inFlight, factory: factory).record(0)
        Gauge(label: MetricNames.oldestPending, factory: factory).record(0)
        Gauge(
            label: MetricNames.buildInfo,
            dimensions: [("version", BuildInfo.version), ("librdkafka", Librdkafka.version)],
            factory: factory
        ).record(1)
        for topic in [deadLetterTopic, versionsTopic] {
            // Counters at 0, so the first failure is an increase a rule can see.
            Counter(label: MetricNames.durableWriteRetries, dimensions: [("topic", topic)], factory: factory)
                .increment(by: 0)
            Counter(
                label: MetricNames.durableWritesRefused, dimensions: [("topic", topic), ("policy", policy)],
                factory: factory
            ).increment(by: 0)
        }
    }
}
