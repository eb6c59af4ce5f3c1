import ContactSyncTesting
import Foundation
import Kafka
import PlatformSandbox

extension Scenarios {
    /// A rolling deploy: three instances of one group (`rolling-0…2`, each with its own state
    /// directory kept across its restarts, as StatefulSet pods) over a 6-partition topic, a live
    /// producer sending throughout, and each instance in turn stopped with SIGTERM and started
    /// again. Beside the usual end state, judged on what a deploy must not cost (issue 25): dead
    /// letters exactly once per bad record, contact writes at most 5 % over one instance's for
    /// the same events, and no partition worked for at most 2 s at a time.
    ///
    /// One instance of another group, on a broker and sandbox of its own, is sent the same
    /// records at the same moments and never restarted: the writes baseline. It runs beside the
    /// deploy rather than after it so that its records arrive with exactly the same timing
    /// (folding, which depends on timing, is then the same but for what the deploy changes).
    ///
    /// On the mock cluster the figures depend on two quirks of its coordinator: it ignores
    /// LeaveGroup, so a stopped member's partitions wait for its session to expire (6 s here), and
    /// it refuses commits while it prepares a rebalance, so work finished in a revocation is not
    /// committed. `--broker tansu` runs the same scenario against an independent broker.
    static func rollingDeploy(_ run: ScenarioRun) async throws -> Verdict {
        let plan = RollingPlan(short: run.short)
        var generator = SystemRandomNumberGenerator()
        let traffic = try withBadInputs(
            plan.bad,
            in: Traffic.interleaved(chunks: plan.chunks, entities: plan.entities, versions: 2, using: &generator))
        let chaos = SandboxChaos(latencyMs: 5)
        let stage = try await RollingStage(
            name: "rolling", broker: run.broker, partitions: plan.partitions, chaos: chaos, breaking: run.breaking,
            workerEnvironment: run.workerEnvironment)
        let baseline: RollingStage
        do {
            baseline = try await RollingStage(
                name: "rolling-baseline", broker: run.broker, partitions: plan.partitions, chaos: chaos,
                breaking: run.breaking, workerEnvironment: run.workerEnvironment)
        } catch {
            await stage.shutdown()
            throw error
        }
        var deploy = RollingDeploy(plan: plan, stage: stage, baseline: baseline, traffic: traffic)
        do {
            try await deploy.perform()
        } catch {
            await deploy.stopEverything()
            await stage.shutdown()
            await baseline.shutdown()
            throw error
        }
        let verdict = try await deploy.judge(broker: run.broker)
        await stage.shutdown()
        await baseline.shutdown()
        return verdict
    }
}

/// One rolling deploy in progress: what it started and what it saw.
struct RollingDeploy {
    let plan: RollingPlan
    let stage: RollingStage
    let baseline: RollingStage
    let traffic: Traffic
    /// Sent before `traffic`, to both groups at once, and waited for: see `perform`.
    let warmUp = Traffic.good(entities: 60, versions: 1, prefix: "w", first: 100_000)
    let watch: IdleWatch
    /// The one instance's calls: where it had work, the deploy had too (see `IdleWatch.longestIdle`).
    let baselineWatch: IdleWatch
    var instances: [Process] = []
    var baselineInstance: Process?
    /// Where each record landed in the deploy's source topic, in the traffic's order.
    var landed: [DeliveryReport] = []
    var firstRestart: ContinuousClock.Instant = .now
    /// Restarts made while the producer was still sending.
    var restartsUnderTraffic = 0
    /// Seconds each stopped instance took to exit after SIGTERM; nil: it exited with a status
    /// other than 0, or was killed 60 s after SIGTERM.
    var stops: [Double?] = []
    var caughtUp = false

    init(plan: RollingPlan, stage: RollingStage, baseline: RollingStage, traffic: Traffic) {
        self.plan = plan
        self.stage = stage
        self.baseline = baseline
        self.traffic = traffic
        watch = IdleWatch(stage.sandbox)
        baselineWatch = IdleWatch(baseline.sandbox)
    }

    mutating func perform() async throws {
        instances = try (0..<plan.instances).map { try stage.start(instance: $0) }
        baselineInstance = try baseline.start(instance: 0)
        let targets = [stage, baseline].map {
            LiveProducer.Target(
                bootstrapServers: $0.bootstrapServers, topic: $0.harness.topic, properties: $0.producerProperties)
        }
        let logger = stage.harness.logger
        // Both groups form (seconds on Tansu) before the traffic starts: records that pile up while
        // a group forms fold, and would fold differently in the deploy and the baseline.
        _ = try await LiveProducer(records: warmUp.records, rate: 100_000).run(to: targets, logger: logger)
        try await waitUntilEveryPartitionIsWorked(stage, instances: instances)
        try await waitUntilEveryPartitionIsWorked(baseline, instances: baselineInstance.map { [$0] } ?? [])
        watch.start()
        baselineWatch.start()
        let producer = LiveProducer(records: traffic.records, rate: plan.rate)
        let sending = Task { try await producer.run(to: targets, logger: logger) }
        let sendingFrom = ContinuousClock.now
        // A first stretch of steady work, as before any deploy.
        try await Task.sleep(for: plan.restartEvery)
        firstRestart = .now
        for restart in 0..<plan.restarts {
            let index = restart % plan.instances
            let stopping = instances[index]
            let asked = ContinuousClock.now
            stopping.terminate()
            let exited = try await WorkerProcess.waitForExit(stopping, deadline: .seconds(60))
            stops.append(exited ? (ContinuousClock.now - asked) / .seconds(1) : nil)
            instances[index] = try stage.start(instance: index)
            if ContinuousClock.now - sendingFrom < producer.duration {
                restartsUnderTraffic += 1
            }
            try await Task.sleep(for: plan.restartEvery)
        }
        landed = try await sending.value[0]
        caughtUp = try await waitForCommits(of: [stage, baseline], deadline: .seconds(120))
        // Stopped only now: a gap after the last call is the traffic's end, not idleness.
        watch.stop()
        baselineWatch.stop()
        await stopEverything()
    }

    /// Waits until `group` has committed part of the warm-up on every partition; otherwise
    /// fails naming each partition's committed offset and the instances that exited (a CI run
    /// once timed out here with nothing more to go on).
    func waitUntilEveryPartitionIsWorked(_ group: RollingStage, instances: [Process]) async throws {
        let end = ContinuousClock.now + .seconds(90)
        var progress: [(partition: Int32, committed: Int64?, high: Int64)] = []
        while ContinuousClock.now < end {
            progress = (try? await group.progress()) ?? progress
            if !progress.isEmpty && progress.allSatisfy({ ($0.committed ?? 0) > 0 }) { return }
            // A new admin client each time: not every 20 ms.
            try await Task.sleep(for: .milliseconds(250))
        }
        let offsets = progress.map { "p\($0.partition) \($0.committed.map(String.init) ?? "none")/\($0.high)" }
        let exited = instances.enumerated().filter { !$0.element.isRunning }.map {
            "instance \($0.offset) exited with \($0.element.terminationStatus)"
        }
        throw RollingWarmUpError(
            description:
                "not within 90 s: every partition of \(group.group) worked (committed/high: \(offsets.joined(separator: ", ")); \(exited.isEmpty ? "every instance running" : exited.joined(separator: ", ")))"
        )
    }

    /// Waits until both groups have committed every record produced.
    func waitForCommits(of stages: [RollingStage], deadline: Duration) async throws -> Bool {
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            var done = true
            for stage in stages {
                let progress = try await stage.progress()
                done = done && progress.allSatisfy { ($0.committed ?? 0) >= $0.high }
            }
            if done { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    /// SIGTERM to every instance this scenario started, then waits (SIGKILL past 60 s).
    func stopEverything() async {
        watch.stop()
        baselineWatch.stop()
        let running = (instances + [baselineInstance].compactMap { $0 }).filter(\.isRunning)
        for process in running { process.terminate() }
        let end = ContinuousClock.now + .seconds(60)
        for process in running {
            while process.isRunning && ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { WorkerProcess.killNine(process) }
        }
    }
}

struct RollingWarmUpError: Error, CustomStringConvertible {
    let description: String
}
