import Foundation
import Kafka
import Logging
import PlatformClient
import Synchronization

/// `--until-caught-up`: the worker stops once the group has committed everything that was in
/// its topics when it started (what arrives later is the next run's).
extension Worker {
    /// The end of every partition of the topics now: `--until-caught-up` stops when the group's
    /// committed offsets reach these.
    func caughtUpTargets(_ consumer: KafkaConsumer) async throws -> [TopicPartition: Int64] {
        var targets: [TopicPartition: Int64] = [:]
        for topic in configuration.topics {
            for partition in try await consumer.partitions(of: topic) {
                let tp = TopicPartition(topic, partition)
                let marks = try await consumer.watermarks(tp)
                if marks.high > marks.low { targets[tp] = marks.high }
            }
        }
        return targets
    }

    /// A failed look-up (the coordinator moving, a broker down) just means "not yet".
    func isCaughtUp(_ consumer: KafkaConsumer, _ targets: [TopicPartition: Int64]) async -> Bool {
        guard !targets.isEmpty else { return true }
        guard let committed = try? await consumer.committed(Array(targets.keys)) else { return false }
        let remaining = committed.reduce(Int64(0)) { sum, offset in
            let target = targets[offset.topicPartition] ?? 0
            // No commit yet (a negative offset): everything up to the target is left.
            return sum + max(0, target - max(offset.offset, 0))
        }
        await logCatchUpProgress(remaining: remaining)
        return committed.allSatisfy { $0.offset >= (targets[$0.topicPartition] ?? 0) }
    }

    /// Every `CatchUpProgress.every`, one line saying how much is left, how fast it goes, what
    /// paces it and when it should end: a run at a budget of one call a second is otherwise
    /// silent for minutes.
    private func logCatchUpProgress(remaining: Int64) async {
        guard let step = catchUp.withLock({ $0.step(remaining: remaining, now: .now) }) else { return }
        var metadata: Logger.Metadata = [
            "remaining_records": "\(remaining)",
            "records_per_second": "\(String(format: "%.1f", step.rate))",
            "eta": "\(step.eta.map { $0.secondsText } ?? "unknown (no progress in the last interval)")",
        ]
        // Each workspace has its own budget: with several, the line names each one's pacing.
        var pacing: [String] = []
        for workspace in workspaces.all {
            let budget = workspace.gate.budget(.contacts)
            let setting =
                workspace.name.map { "platform.workspaces.\($0).budget.contacts" } ?? "platform.budget.contacts"
            let text: String
            if await budget.isUnlimited {
                text = "none (\(setting) unlimited)"
            } else {
                let calls = Double(await budget.allowance) / (await budget.rate.window).seconds
                text =
                    "\(String(format: "%.2f", calls)) contacts.json calls/s (this instance's share of \(setting))"
            }
            pacing.append(workspaces.all.count == 1 ? text : "\(workspace.label): \(text)")
        }
        metadata["pacing"] = "\(pacing.joined(separator: "; "))"
        if await workspaces.allThrottled() {
            metadata["throttled"] = "a 429 paused calls (someone else spends the budget)"
        }
        logger.info("catching up", metadata: metadata)
    }
}

/// How far `--until-caught-up` has come between progress lines.
struct CatchUpProgress: Sendable {
    static let every: Duration = .seconds(10)
    private var last: (at: ContinuousClock.Instant, remaining: Int64)?

    /// The rate since the last line and the time left at it, when a line is due.
    mutating func step(remaining: Int64, now: ContinuousClock.Instant) -> (rate: Double, eta: Duration?)? {
        guard let last else {
            self.last = (now, remaining)
            return nil
        }
        guard now - last.at >= Self.every else { return nil }
        let rate = Double(last.remaining - remaining) / (now - last.at).seconds
        self.last = (now, remaining)
        let eta: Duration? = rate > 0 ? .seconds(Double(remaining) / rate) : nil
        return (max(0, rate), eta)
    }
}
