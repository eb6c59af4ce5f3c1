import ContactSyncTesting
import Foundation
import Logging
import PlatformSandbox

/// Row 9: one deployment, ten workspaces of different budgets over one topic (issue 28): the
/// release `contact-sync run`, configured by a file listing the ten, each workspace's sandbox
/// throttled at its own budget. Each workspace spends its own budget (≥ 95 %) with no 429, and
/// what a workspace costs in memory is the peak RSS over a one-workspace run of the same shape.
enum BudgetWorkspacesRow {
    static let workspaces = 10
    /// Workspace `i` (`ws0`…`ws9`) has `(i + 1) × 120` calls a minute on each scope: 2/s … 20/s.
    static func perMinute(_ index: Int) -> Int { (index + 1) * 120 }
    /// Entities per workspace: 1.5× what its budget drains in the window, so none runs dry.
    static func entities(_ index: Int) -> Int { Int(1.5 * Double(perMinute(index))) * Int(window / 60) }
    static let window = 60.0
    static let warmup = 30.0
    static let memoryTarget = 5.0

    static let spec = BudgetBench.Spec(
        id: "workspaces",
        name:
            "budget: \(workspaces) workspaces of different budgets (120/m … 1200/m each) over one topic, one deployment",
        target:
            "each workspace's contact calls ≥ 95 % of its own budget; 0 × 429; ≤ \(Int(memoryTarget)) MB of peak RSS per workspace",
        notes:
            "The worker binary with a configuration file listing \(workspaces) workspaces (`platform.workspaces`, `platform.workspace_from: /tenant`), each with its own token and `budget.*` = its sandbox workspace's throttle; a backlog of updates interleaved across workspaces (1.5× what each budget drains in \(Int(window)) s, same keys in every workspace); each workspace's calls/s measured at the sandbox from its first to its last call within \(Int(window)) s once every workspace was called (polled every 10 ms); memory per workspace is (peak RSS of this run − peak RSS of the same run with one workspace, ws9) / 9.",
        measure: { try await measure(logger: $0) })

    struct Run {
        var rates: [(name: String, perSecond: Double, budget: Double)] = []
        var throttled = 0
        var deadLetters = 0
        var peakMB = 0.0
        var problem: String?
    }

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        guard WorkerProcess.binary != nil else {
            return .init(
                figure: "not run: contact-sync is not built next to the bench (scripts/bench builds it)",
                raw: "no figures", met: false)
        }
        let all = try await run(Array(0..<workspaces), logger: logger)
        let one = try await run([workspaces - 1], logger: logger)
        let perWorkspace = (all.peakMB - one.peakMB) / Double(workspaces - 1)
        let rates = all.rates.map {
            "\($0.name) \(String(format: "%.2f", $0.perSecond))/\(String(format: "%.0f", $0.budget)) calls/s"
        }.joined(separator: ", ")
        let raw =
            "\(rates); 429 \(all.throttled); dead letters \(all.deadLetters); peak RSS \(String(format: "%.1f", all.peakMB)) MB with \(workspaces), \(String(format: "%.1f", one.peakMB)) MB with 1"
        if let problem = all.problem ?? one.problem { return .init(figure: "FAILED: \(problem)", raw: raw, met: false) }
        let worst = all.rates.map { $0.perSecond / $0.budget }.min() ?? 0
        let figure =
            "lowest share of its own budget \(Int((worst * 100).rounded())) %, \(all.throttled) × 429, \(String(format: "%.1f", perWorkspace)) MB per workspace"
        let met = worst >= 0.95 && all.throttled == 0 && all.deadLetters == 0 && perWorkspace <= memoryTarget
        return .init(figure: figure, raw: raw, met: met)
    }

    /// One child run with the workspaces `indices`, measured as the row says.
    static func run(_ indices: [Int], logger: Logger) async throws -> Run {
        let names = indices.map { "ws\($0)" }
        let harness = try await WorkerHarness(
            partitions: 6,
            workspaces: indices.map { .named("ws\($0)", throttle: SandboxThrottle("\(perMinute($0))/m")) },
            logger: logger)
        var events: [(key: String, json: String?)] = []
        for n in 0..<(indices.map(entities).max() ?? 0) {
            for index in indices where n < entities(index) {
                events.append(
                    tenantEvent("ws\(index)", id: "ws\(index)-\(n)", entity: "cus_\(n)", data: #""name": "N""#))
            }
        }
        try await harness.produce(events)
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("bench-workspaces-\(UUID()).yaml")
        var yaml = "platform:\n  workspace_from: /tenant\n  workspaces:\n"
        for index in indices {
            let rate = "\(perMinute(index))/m"
            yaml +=
                "    ws\(index): {token: \(WorkerHarness.token(ofWorkspace: "ws\(index)")), budget: {contacts: \(rate), v2: \(rate)}}\n"
        }
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }
        let worker = try WorkerProcess(
            harness: harness, group: "bench-workspaces",
            settings: ["CONTACT_SYNC_CONFIG": config.path, "CONTACT_SYNC_LOG_LEVEL": "warning"])
        let child = Task {
            try await ChildProcess.run(
                WorkerProcess.binary!.path, ["run"], environment: worker.environment,
                timeout: .seconds(warmup + window + 5))
        }
        var result = Run()
        func calls(_ name: String) -> Int { harness.sandbox.stats(workspace: name).calls(scope: .contacts) }
        let called = await waitUntil(.now + .seconds(warmup), every: .milliseconds(100)) {
            names.allSatisfy { calls($0) > 0 }
        }
        let rates = try await callRates(over: .seconds(window), names.map { name in { calls(name) } })
        let exit = try await child.value
        for (offset, index) in indices.enumerated() {
            result.rates.append((names[offset], rates[offset], Double(perMinute(index)) / 60))
        }
        result.throttled = names.reduce(0) { $0 + harness.sandbox.stats(workspace: $1).throttledTotal }
        result.deadLetters = try await harness.deadLetters().count
        result.peakMB = Double(exit.peakRSSBytes) / 1_048_576
        if !called { result.problem = "not every workspace was called within \(Int(warmup)) s" }
        if exit.status != 128 + 9 {
            result.problem = "the worker exited early (exit \(exit.status)): \(exit.stderrTail)"
        }
        await harness.shutdown()
        return result
    }
}
