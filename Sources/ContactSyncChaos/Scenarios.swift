import ContactSyncTesting
import Foundation
import Kafka
import PlatformSandbox

/// How one scenario runs: short or full, and with which deliberate break of the worker (the
/// negative control, which the scenario must fail).
struct ScenarioRun: Sendable {
    var short: Bool
    /// `CONTACT_SYNC_TEST_BREAK` for the worker (debug builds read it), or nil for the real one.
    var breaking: String?
    /// The broker of scenarios that can run on more than one (`Scenarios.onIndependentBroker`).
    var broker: BrokerKind = .mock
    /// Settings for every worker instance over the scenario's (`--worker-env`), `{i}` standing
    /// for the instance's number in scenarios of named instances.
    var workerEnvironment: [String: String] = [:]
}

/// The chaos scenarios. Each sends known traffic, runs the real worker through one kind of
/// failure, requires evidence that the failure overlapped the work, and judges the end state.
enum Scenarios {
    typealias Scenario = (name: String, control: String, run: @Sendable (ScenarioRun) async throws -> Verdict)

    /// Each scenario with the broken worker it must catch.
    static let all: [Scenario] = [
        ("kill -9 and restart", "commit_before_apply", killNine),
        ("all brokers down mid-run", "no_guard", brokersDown),
        ("platform 30% 5xx + 429 storms", "dlq_on_5xx", { try await platformStorm($0, failRate: 0.3) }),
        ("platform 50% 5xx + 429 storms", "dlq_on_5xx", { try await platformStorm($0, failRate: 0.5) }),
        ("populated workspace, flows, opt-outs", "no_guard", populatedWorkspace),
        ("throttled, 3 instances, another client", "no_guard", throttledGroup),
        ("dead-letter topic unwritable", "commit_before_apply", deadLetterUnwritable),
        ("fuzzed bad inputs in good traffic", "no_guard", fuzzedInputs),
        ("kill -9 with the store half-written", "no_restore", storeHalfWritten),
        ("store deleted between runs", "no_restore", storeDeleted),
        ("rolling deploy", "no_guard", rollingDeploy),
    ]

    /// The scenarios that need no fault injection from the mock cluster, and so also run against
    /// an independent broker (`--broker tansu`).
    static let onIndependentBroker: [Scenario] = all.filter { $0.name == "rolling deploy" }

    /// Kills the worker with SIGKILL at a random moment after it starts calling the platform,
    /// restarts it, again and again; a last run finishes the work. Every run must die mid-work.
    static func killNine(_ run: ScenarioRun) async throws -> Verdict {
        // Slow enough (2 in flight, 20 ms a call) that a run is killed in the middle of its work.
        let stage = try await Stage(name: "kill", chaos: SandboxChaos(latencyMs: 20), breaking: run.breaking)
        let traffic = Traffic.good(entities: run.short ? 80 : 400, versions: run.short ? 3 : 5)
        try await stage.produce(traffic.records)
        let kills = run.short ? 3 : 20
        let midWork = try await stage.workers.killNineAndRestart(
            runs: kills, within: .milliseconds(500), extra: ["CONTACT_SYNC_MAX_IN_FLIGHT": "2"])
        let caughtUp = try await stage.workers.runToEnd()
        var verdict = try await finish(
            "kill -9 ×\(kills), restart each", stage, traffic, caughtUp: caughtUp,
            note: "\(midWork) of \(kills) killed mid-work")
        verdict.require(midWork == kills, "only \(midWork) of \(kills) runs were killed while calling the platform")
        return verdict
    }

    /// Every broker of the cluster goes down once the worker is busy, and comes back later; the
    /// worker must have worked before the outage and after it.
    static func brokersDown(_ run: ScenarioRun) async throws -> Verdict {
        let stage = try await Stage(name: "brokers", chaos: SandboxChaos(latencyMs: 10), breaking: run.breaking)
        let traffic = Traffic.good(entities: 300, versions: 2)
        try await stage.produce(traffic.records)
        let process = try stage.workers.start(extra: ["CONTACT_SYNC_MAX_IN_FLIGHT": "4"])
        let outage: Duration = run.short ? .seconds(5) : .seconds(30)
        try await waitUntil("the worker to make 50 calls") { stage.sandbox.stats().total >= 50 || !process.isRunning }
        let runningAtDown = process.isRunning
        let before = stage.sandbox.state().contacts.count
        let callsAtDown = stage.sandbox.stats().total
        try stage.cluster.setAllBrokers(up: false)
        try await Task.sleep(for: outage)
        let callsAtUp = stage.sandbox.stats().total
        let runningAtUp = process.isRunning
        try stage.cluster.setAllBrokers(up: true)
        let caughtUp = try await WorkerProcess.waitForExit(process)
        let callsAfterDown = stage.sandbox.stats().total - callsAtDown
        let callsAfterUp = stage.sandbox.stats().total - callsAtUp
        var verdict = try await finish(
            "all brokers down \(outage.components.seconds) s mid-run", stage, traffic, caughtUp: caughtUp,
            note:
                "\(before) contacts written before the outage, \(callsAfterDown) calls after it began, \(callsAfterUp) after it ended"
        )
        // Prefetched records can still be applied while the brokers are down; their versions and
        // offsets cannot be written, so a worker still running when they return had work held up.
        verdict.require(
            runningAtDown && runningAtUp,
            "the worker was not running through the outage (it finished before it, or died in it)")
        verdict.require(before > 0, "no contact was written before the outage")
        verdict.require(callsAfterDown > 0, "no platform work was left when the brokers went down")
        return verdict
    }

    /// A share of all requests (reads included) fails with a 5xx throughout, and in every other
    /// 300 ms writes are limited to 5/s, answered 429 with Retry-After past that. Both must have
    /// been answered.
    static func platformStorm(_ run: ScenarioRun, failRate: Double) async throws -> Verdict {
        let calm = SandboxChaos(latencyMs: 5, failRate: failRate)
        var storm = calm
        storm.ratePerSecond = 5
        let stage = try await Stage(name: "storm-\(Int(failRate * 100))", chaos: calm, breaking: run.breaking)
        let traffic = Traffic.good(entities: run.short ? 100 : 300, versions: 2)
        try await stage.produce(traffic.records)
        let process = try stage.workers.start(extra: ["CONTACT_SYNC_RETRY_CAP_MS": "1000"])
        let storms = Task {
            var raging = false
            while !Task.isCancelled {
                raging.toggle()
                stage.sandbox.setChaos(raging ? storm : calm)
                try? await Task.sleep(for: .milliseconds(300))
            }
        }
        let caughtUp = try await WorkerProcess.waitForExit(process)
        storms.cancel()
        let stats = stage.sandbox.stats()
        let (errors, throttled) = (stats.count(statuses: 500...599), stats.count(status: 429))
        var verdict = try await finish(
            "platform \(Int(failRate * 100))% 5xx + 429 storms", stage, traffic, caughtUp: caughtUp,
            note: "\(errors) × 5xx, \(throttled) × 429")
        verdict.require(errors > 0, "no call was answered 5xx")
        verdict.require(throttled > 0, "no call was answered 429")
        return verdict
    }

    /// Bad records arrive while the dead-letter topic's only broker is down: the dead letters
    /// cannot be written for a while, so their offsets must wait while good work goes on; then
    /// everything completes. The source and versions topics and the group live on the other brokers.
    static func deadLetterUnwritable(_ run: ScenarioRun) async throws -> Verdict {
        let stage = try await Stage(name: "dlq", chaos: SandboxChaos(latencyMs: 5), breaking: run.breaking)
        try stage.isolateDeadLetterTopic(on: 3)
        let traffic = try withBadInputs(run.short ? 20 : 100, in: Traffic.good(entities: 200, versions: 2))
        let reports = try await stage.produce(traffic.records)
        var firstBad: [Int32: Int64] = [:]
        for (record, report) in zip(traffic.records, reports) where record.isBad {
            firstBad[report.partition] = min(firstBad[report.partition] ?? .max, report.offset)
        }
        let unwritable: Duration = run.short ? .seconds(5) : .seconds(20)
        try stage.cluster.setBrokerDown(3)
        let process = try stage.workers.start()
        // The outage counts from the moment the worker is at work, not from its start.
        try await waitUntil("the worker to write a contact") {
            !stage.sandbox.state().contacts.isEmpty || !process.isRunning
        }
        let atStart = stage.sandbox.state().contacts.count
        try await Task.sleep(for: unwritable)
        let committed = try await stage.harness.committedOffsets(group: stage.workers.group)
        let heldBack = stage.sandbox.state().contacts.count
        try stage.cluster.setBrokerUp(3)
        let caughtUp = try await WorkerProcess.waitForExit(process)
        var verdict = try await finish(
            "dead-letter topic unwritable \(unwritable.components.seconds) s", stage, traffic, caughtUp: caughtUp,
            note:
                "\(heldBack - atStart) contacts written meanwhile, commits held at \(committed.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " "))"
        )
        verdict.require(heldBack > atStart, "no good work went on while the dead-letter topic was down")
        for (partition, offset) in firstBad {
            verdict.require(
                (committed[partition] ?? -1) <= offset,
                "partition \(partition) committed \(committed[partition] ?? -1), past its first bad record at \(offset), before its dead letter was written"
            )
        }
        return verdict
    }

    /// 1,000 bad records of every kind, mixed at random into good traffic.
    static func fuzzedInputs(_ run: ScenarioRun) async throws -> Verdict {
        let stage = try await Stage(name: "fuzz", chaos: SandboxChaos(latencyMs: 2), breaking: run.breaking)
        let traffic = try withBadInputs(run.short ? 200 : 1000, in: Traffic.good(entities: 300, versions: 2))
        try await stage.produce(traffic.records)
        let caughtUp = try await stage.workers.runToEnd()
        return try await finish(
            "\(traffic.badCount) fuzzed bad inputs in good traffic", stage, traffic, caughtUp: caughtUp)
    }

    /// Good traffic with `count` bad records mixed in; the decoder must refuse each one.
    static func withBadInputs(_ count: Int, in good: Traffic) throws -> Traffic {
        var traffic = good
        var generator = SystemRandomNumberGenerator()
        traffic.mix(
            BadInputs.generate(count, goodKeys: Array(traffic.finals.keys), using: &generator), using: &generator)
        if let wrong = BadInputs.misclassified(traffic.records.filter(\.isBad)).first {
            throw ChaosError.generator(wrong)
        }
        return traffic
    }

    /// Judges the end state, adds what the scenario observed, and tears the stage down.
    static func finish(
        _ name: String, _ stage: Stage, _ traffic: Traffic, caughtUp: Bool, note: String = "",
        adjust: (inout SandboxState) -> Void = { _ in }
    ) async throws -> Verdict {
        var state = stage.sandbox.state()
        adjust(&state)
        var verdict = Verdict.judge(
            name, traffic: traffic, state: state, deadLetters: try await stage.harness.deadLetters(), caughtUp: caughtUp
        )
        verdict.note = [note, traffic.mix, verdict.note].filter { !$0.isEmpty }.joined(separator: "; ")
        await stage.harness.shutdown()
        return verdict
    }

    /// Waits for `condition`; a scenario whose setup never happens is an error, not a pass.
    static func waitUntil(_ what: String, _ deadline: Duration = .seconds(60), _ condition: () -> Bool) async throws {
        let end = ContinuousClock.now + deadline
        while !condition() {
            guard ContinuousClock.now < end else { throw ChaosError.timedOut(what) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

enum ChaosError: Error, CustomStringConvertible {
    case generator(String)
    case timedOut(String)

    var description: String {
        switch self {
        case .generator(let input): "the bad-input generator made an input the decoder accepts: \(input)"
        case .timedOut(let what): "gave up waiting for \(what)"
        }
    }
}
