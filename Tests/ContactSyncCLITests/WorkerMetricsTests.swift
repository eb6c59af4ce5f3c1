import ArgumentParser
import Foundation
import Metrics
import Prometheus
import Testing

@testable import ContactSyncCLI
@testable import SyncWorker

/// Signals that could not fire (issue 26): buckets capped at 10 s, gauges missing until their
/// first change.
@Suite struct WorkerMetricsTests {
    func emitted(_ registry: PrometheusCollectorRegistry) -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// A 400 s end-to-end time lands between the 300 s and 600 s buckets, so a p95 above the
    /// alert's 300 s can be computed (the default buckets put it in +Inf past 10 s).
    @Test(arguments: [MetricNames.endToEnd, MetricNames.stateRestoreSeconds])
    func longHistogramsReachAnHour(name: String) {
        let registry = PrometheusCollectorRegistry()
        let factory = WorkerMetrics.factory(registry: registry)
        Timer(label: name, dimensions: [], preferredDisplayUnit: .seconds, factory: factory)
            .recordNanoseconds(400_000_000_000)
        let text = emitted(registry)
        #expect(text.contains(#"\#(name)_bucket{le="300.0"} 0"#), "\(text)")
        #expect(text.contains(#"\#(name)_bucket{le="600.0"} 1"#), "\(text)")
        #expect(text.contains(#"\#(name)_bucket{le="3600.0"} 1"#), "\(text)")
    }

    @Test func everySeriesARuleOrPanelReadsExistsFromStart() {
        let registry = PrometheusCollectorRegistry()
        let factory = WorkerMetrics.factory(registry: registry)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        WorkerMetrics.exportAtStart(
            startedAt: start, deadLetterTopic: "cs.dlq", versionsTopic: "cs.versions", policy: "halt",
            factory: factory)
        let text = emitted(registry)
        for line in [
            "contactsync_paused 0", "contactsync_platform_available 1", "contactsync_state_restoring_partitions 0",
            "contactsync_in_flight 0", #"contactsync_durable_write_retries_total{topic="cs.dlq"} 0"#,
            #"contactsync_durable_writes_refused_total{topic="cs.versions",policy="halt"} 0"#,
            #"contactsync_build_info{version="\#(BuildInfo.version)",librdkafka="#,
        ] {
            #expect(text.contains(line), "missing \(line) in\n\(text)")
        }
        // The start time: ContactSyncNoCommits can fire for an instance that never commits.
        #expect(
            text.contains("contactsync_last_commit_timestamp_seconds 1.7e+09")
                || text.contains("contactsync_last_commit_timestamp_seconds 1700000000"), "\(text)")
    }
}

@Suite struct VersionTests {
    @Test func versionPrintsTheBuildAndLibrdkafka() {
        do {
            _ = try ContactSyncCommand.parseAsRoot(["--version"])
            Issue.record("--version did not exit")
        } catch {
            #expect(ContactSyncCommand.message(for: error) == BuildInfo.versionLine)
            #expect(BuildInfo.versionLine.hasPrefix(BuildInfo.version + " (librdkafka "))
            #expect(ContactSyncCommand.exitCode(for: error) == .success)
        }
    }
}
