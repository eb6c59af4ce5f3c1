import ContactSyncTesting
import Foundation

/// `contact-sync-chaos [--short] [--controls | --no-controls] [--broker mock|tansu]
/// [--worker-env NAME=VALUE…] [NAME…]`: runs the chaos scenarios
/// against the real worker binary and prints one line each. Exits 1 if any scenario loses,
/// duplicates, leaves a wrong final state, misses or mislabels a dead letter, or its fault did
/// not bite. With `--controls` (the default in the full suite) each scenario also runs against
/// its deliberately broken worker (`CONTACT_SYNC_TEST_BREAK`, read by debug builds only), which
/// it must fail: a scenario that a broken worker passes proves nothing. `--broker tansu` runs
/// the scenarios that need no mock fault injection against Tansu (`scripts/chaos --broker tansu`
/// sets it up); `--worker-env` passes settings to the instances of those scenarios, e.g.
/// `CONTACT_SYNC_KAFKA_GROUP_INSTANCE_ID=rolling-{i}`.
@main
struct Chaos {
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let short = arguments.contains("--short")
        let controls = arguments.contains("--controls") || (!short && !arguments.contains("--no-controls"))
        arguments.removeAll { ["--short", "--controls", "--no-controls"].contains($0) }
        let options: ChaosOptions
        do {
            options = try ChaosOptions(taking: &arguments)
        } catch {
            print("contact-sync-chaos: \(error)")
            exit(2)
        }
        guard let binary = WorkerProcess.binary else {
            print("contact-sync-chaos: \(WorkerProcessError.notBuilt(WorkerProcess.executableDirectory.path))")
            exit(2)
        }
        let chosen = (options.broker == .mock ? Scenarios.all : Scenarios.onIndependentBroker).filter { scenario in
            arguments.isEmpty || arguments.contains { scenario.name.localizedCaseInsensitiveContains($0) }
        }
        print(
            "contact-sync-chaos: \(chosen.count) scenarios\(short ? " (short)" : "")\(controls ? " and their negative controls" : "") against \(binary.path)\(options.broker == .mock ? "" : " on \(options.broker.rawValue)")"
        )
        print(header)
        var failed = 0
        var runs = 0
        for scenario in chosen {
            for breaking in controls ? [nil, scenario.control] : [nil] {
                runs += 1
                let started = ContinuousClock.now
                let label = breaking.map { "  control: \($0)" }
                do {
                    var verdict = try await scenario.run(
                        ScenarioRun(
                            short: short, breaking: breaking, broker: options.broker,
                            workerEnvironment: options.workerEnvironment))
                    if let label { verdict.scenario = label }
                    let seconds = (ContinuousClock.now - started).components.seconds
                    if breaking == nil {
                        print(line(verdict, seconds: seconds, result: verdict.passed ? "pass" : "FAIL"))
                        if !verdict.passed {
                            failed += 1
                            for example in verdict.examples { print("      \(example)") }
                        }
                    } else {
                        // The broken worker must lose: a control that passes means the scenario cannot see that break.
                        print(
                            line(
                                verdict, seconds: seconds,
                                result: verdict.passed ? "FAIL (the broken worker passed)" : "caught"))
                        if verdict.passed { failed += 1 }
                    }
                } catch {
                    print(
                        "\((label ?? scenario.name).padding(toLength: 44, withPad: " ", startingAt: 0)) ERROR: \(error)"
                    )
                    failed += 1
                }
            }
        }
        print(failed == 0 ? "chaos: all \(runs) runs ended as they must" : "chaos: \(failed) of \(runs) runs FAILED")
        exit(failed == 0 ? 0 : 1)
    }

    static let header = [
        pad("scenario", 44), pad("events", 7), pad("lost", 5), pad("dup", 4), pad("dead-lettered", 14), pad("wrong", 6),
        pad("secs", 5), "result",
    ].joined(separator: " ")

    static func line(_ v: Verdict, seconds: Int64, result: String) -> String {
        var columns = [
            pad(v.scenario, 44), pad("\(v.events)", 7), pad("\(v.lost)", 5), pad("\(v.duplicated)", 4),
            pad(
                "\(v.deadLettered)/\(v.badExpected)" + (v.wronglyDeadLettered > 0 ? " +\(v.wronglyDeadLettered)!" : ""),
                14),
            pad("\(v.wrongFinal)", 6), pad("\(seconds)", 5), result,
        ]
        if !v.caughtUp { columns.append("(did not catch up in time)") }
        if !v.didNotBite.isEmpty { columns.append("(the fault did not bite: \(v.didNotBite.joined(separator: "; ")))") }
        if !v.failures.isEmpty { columns.append("(failed: \(v.failures.joined(separator: "; ")))") }
        if !v.note.isEmpty { columns.append("(\(v.note))") }
        return columns.joined(separator: " ")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
