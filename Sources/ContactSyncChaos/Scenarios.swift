import Foundation
import Kafka
import PlatformSandbox

/// The chaos scenarios. Each sends known traffic, runs the real worker through one kind of
/// failure, and judges the end state. `short` is the version `.ci/run` runs.
enum Scenarios {
    typealias Scenario = (name: String, run: @Sendable (_ short: Bool) async throws -> Verdict)

    static let all: [Scenario] = [
        ("kill -9 and restart", killNine),
        ("all brokers down mid-run", brokersDown),
        ("platform 30% 5xx + 429 storms", platformStorm),
        ("dead-letter topic unwritable", deadLetterUnwritable),
        ("fuzzed bad inputs in good traffic", fuzzedInputs),
    ]

    /// Kills the worker with SIGKILL at a random moment after it starts calling the platform,
    /// restarts it, again and again; a last run finishes the work.
    static func killNine(short: Bool) async throws -> Verdict {
        // Slow enough (2 in flight, 20 ms a call) that a run is killed in the middle of its work.
        let stage = try await Stage(name: "kill", chaos: SandboxChaos(latencyMs: 20))
        let traffic = Traffic.good(entities: short ? 60 : 400, versions: short ? 3 : 5)
        try await stage.produce(traffic.records)
        var generator = SystemRandomNumberGenerator()
        let kills = short ? 3 : 20
        var midWork = 0
        for _ in 0..<kills {
            let before = stage.sandbox.stats().total
            let process = try stage.startWorker(extra: ["CONTACT_SYNC_MAX_IN_FLIGHT": "2"])
            let deadline = ContinuousClock.now + .seconds(60)
            while stage.sandbox.stats().total == before, process.isRunning, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(Int64.random(in: 0...800, using: &generator)))
            if process.isRunning && stage.sandbox.stats().total > before { midWork += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let caughtUp = try await stage.waitForExit(try stage.startWorker())
        return try await finish("kill -9 ×\(kills), restart each", stage, traffic, caughtUp: caughtUp, note: "\(midWork) of \(kills) killed mid-work")
    }

    /// Every broker of the cluster goes down once the worker is busy, and comes back later.
    static func brokersDown(short: Bool) async throws -> Verdict {
        let stage = try await Stage(name: "brokers", chaos: SandboxChaos(latencyMs: 10))
        let traffic = Traffic.good(entities: 300, versions: 2)
        try await stage.produce(traffic.records)
        let process = try stage.startWorker(extra: ["CONTACT_SYNC_MAX_IN_FLIGHT": "4"])
        let outage: Duration = short ? .seconds(5) : .seconds(30)
        try await waitUntil { stage.sandbox.stats().total >= 50 || !process.isRunning }
        let before = stage.sandbox.state().contacts.count
        try stage.cluster.setAllBrokers(up: false)
        try await Task.sleep(for: outage)
        try stage.cluster.setAllBrokers(up: true)
        let caughtUp = try await stage.waitForExit(process)
        return try await finish("all brokers down \(outage.components.seconds) s mid-run", stage, traffic, caughtUp: caughtUp, note: "\(before) contacts written before the outage")
    }

    /// 30 % of requests fail with a 5xx throughout, and in every other 300 ms writes are limited
    /// to 5/s, answered 429 with Retry-After past that.
    static func platformStorm(short: Bool) async throws -> Verdict {
        let calm = SandboxChaos(latencyMs: 5, failRate: 0.3)
        var storm = calm
        storm.ratePerSecond = 5
        let stage = try await Stage(name: "storm", chaos: calm)
        let traffic = Traffic.good(entities: short ? 100 : 300, versions: 2)
        try await stage.produce(traffic.records)
        let process = try stage.startWorker(extra: ["CONTACT_SYNC_RETRY_MAX_ATTEMPTS": "40", "CONTACT_SYNC_RETRY_CAP_MS": "1000"])
        let storms = Task {
            var raging = false
            while !Task.isCancelled {
                raging.toggle()
                stage.sandbox.setChaos(raging ? storm : calm)
                try? await Task.sleep(for: .milliseconds(300))
            }
        }
        let caughtUp = try await stage.waitForExit(process)
        storms.cancel()
        let stats = stage.sandbox.stats()
        return try await finish("platform 30% 5xx + 429 storms", stage, traffic, caughtUp: caughtUp, note: "\(stats.count(statuses: 500...599)) × 5xx, \(stats.count(status: 429)) × 429")
    }

    /// Bad records arrive while the dead-letter topic's only broker is down: the dead letters
    /// cannot be written for a while, so their offsets must wait; then everything completes.
    /// The source and versions topics and the group live on the other brokers.
    static func deadLetterUnwritable(short: Bool) async throws -> Verdict {
        let stage = try await Stage(name: "dlq", chaos: SandboxChaos(latencyMs: 5))
        try stage.isolateDeadLetterTopic(on: 3)
        let traffic = try withBadInputs(short ? 20 : 100, in: Traffic.good(entities: 200, versions: 2))
        try await stage.produce(traffic.records)
        let unwritable: Duration = short ? .seconds(5) : .seconds(20)
        try stage.cluster.setBrokerDown(3)
        let process = try stage.startWorker()
        try await Task.sleep(for: unwritable)
        let heldBack = stage.sandbox.state().contacts.count
        try stage.cluster.setBrokerUp(3)
        let caughtUp = try await stage.waitForExit(process)
        return try await finish("dead-letter topic unwritable \(unwritable.components.seconds) s", stage, traffic, caughtUp: caughtUp, note: "\(heldBack) contacts written meanwhile")
    }

    /// 1,000 bad records of every kind, mixed at random into good traffic.
    static func fuzzedInputs(short: Bool) async throws -> Verdict {
        let stage = try await Stage(name: "fuzz", chaos: SandboxChaos(latencyMs: 2))
        let traffic = try withBadInputs(short ? 200 : 1000, in: Traffic.good(entities: 300, versions: 2))
        try await stage.produce(traffic.records)
        let caughtUp = try await stage.waitForExit(try stage.startWorker())
        return try await finish("\(traffic.badCount) fuzzed bad inputs in good traffic", stage, traffic, caughtUp: caughtUp)
    }

    /// Good traffic with `count` bad records mixed in; the decoder must refuse each one.
    static func withBadInputs(_ count: Int, in good: Traffic) throws -> Traffic {
        var traffic = good
        var generator = SystemRandomNumberGenerator()
        traffic.mix(BadInputs.generate(count, goodKeys: Array(traffic.finals.keys), using: &generator), using: &generator)
        if let wrong = BadInputs.misclassified(traffic.records.filter(\.isBad)).first { throw ChaosError.generator(wrong) }
        return traffic
    }

    /// Judges the end state, adds what the scenario observed, and tears the stage down.
    static func finish(_ name: String, _ stage: Stage, _ traffic: Traffic, caughtUp: Bool, note: String = "") async throws -> Verdict {
        var verdict = Verdict.judge(name, traffic: traffic, state: stage.sandbox.state(), deadLetters: try await stage.deadLetters(), caughtUp: caughtUp)
        verdict.note = [note, verdict.note].filter { !$0.isEmpty }.joined(separator: "; ")
        await stage.shutdown()
        return verdict
    }

    static func waitUntil(_ deadline: Duration = .seconds(60), _ condition: () -> Bool) async throws {
        let end = ContinuousClock.now + deadline
        while !condition(), ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(20)) }
    }
}

enum ChaosError: Error, CustomStringConvertible {
    case generator(String)

    var description: String {
        switch self {
        case .generator(let input): "the bad-input generator made an input the decoder accepts: \(input)"
        }
    }
}
