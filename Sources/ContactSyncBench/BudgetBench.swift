import Foundation
import Logging
import PlatformClient

/// The budget rows (issue 14): the real worker against the sandbox's DRF throttle, each row a
/// bounded scenario (a timeout is a failure, not a rate).
///
/// `contact-sync-bench budget` runs them all, one run each. `CONTACT_SYNC_BENCH_RUNS=N` runs
/// each N times (the row shows the worst run, every run's raw figures beside it);
/// `CONTACT_SYNC_BENCH_BUDGET_ROWS=backlog,deletes` runs only those rows.
enum BudgetBench {
    /// One run of a row: its figure, its raw measures, whether it met the target.
    struct Trial: Sendable {
        let figure: String
        let raw: String
        let met: Bool
    }

    struct Spec: Sendable {
        let id: String
        let name: String
        let target: String
        /// How the row is measured, printed beside the raw runs.
        let notes: String
        let measure: @Sendable (Logger) async throws -> Trial
    }

    /// The workspace's budget in every row, and the sandbox's throttle at the same rate.
    static let budget = RequestRate(requests: 1200, per: .seconds(60))
    static let throttle = "1200/m"
    static var perSecond: Double { budget.perSecond }

    static let specs: [Spec] = [
        BudgetBacklogRow.spec, BudgetOverloadRow.spec, BudgetGroupRow.spec, BudgetRestartRow.spec,
        BudgetDeletesRow.spec, BudgetActionsRow.spec, BudgetCDCRow.spec, BudgetSharingRow.spec,
        BudgetMemoryRow.spec, BudgetRebalanceRow.spec, BudgetWorkspacesRow.spec,
    ]

    static func run(logger: Logger) async throws -> [Bench.Row] {
        let environment = ProcessInfo.processInfo.environment
        let runs = max(1, Int(environment["CONTACT_SYNC_BENCH_RUNS"] ?? "") ?? 1)
        let only = environment["CONTACT_SYNC_BENCH_BUDGET_ROWS"].map { Set($0.split(separator: ",").map(String.init)) }
        var rows: [Bench.Row] = []
        for spec in specs where only?.contains(spec.id) ?? true {
            var trials: [Trial] = []
            for n in 1...runs {
                print("    budget \(spec.id): run \(n) of \(runs)…")
                let trial: Trial
                do {
                    trial = try await spec.measure(logger)
                } catch {
                    trial = Trial(figure: "FAILED: \(error)", raw: "no figures", met: false)
                }
                print("      \(trial.met ? "met" : "NOT met"): \(trial.figure) [\(trial.raw)]")
                trials.append(trial)
            }
            rows.append(row(spec, trials))
        }
        return rows
    }

    /// The worst run stands for the row; every run's raw figures are kept beside it.
    static func row(_ spec: Spec, _ trials: [Trial]) -> Bench.Row {
        let shown = trials.first { !$0.met } ?? trials[0]
        let runs = trials.count == 1 ? "1 run" : "\(trials.count) runs, worst shown"
        let raw = trials.enumerated().map { "run \($0.offset + 1): \($0.element.raw)" }.joined(separator: "; ")
        return .init(
            name: spec.name, figure: shown.figure, target: spec.target, beside: "\(runs); \(raw). \(spec.notes)",
            met: trials.allSatisfy(\.met))
    }
}

/// `1.03×`-style ratio text.
func times(_ value: Double) -> String { String(format: "%.2f×", value) }

func secondsText(_ duration: Duration) -> String { String(format: "%.1f s", seconds(duration)) }
