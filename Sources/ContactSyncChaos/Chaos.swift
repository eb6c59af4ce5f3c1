import Foundation

/// `contact-sync-chaos [--short] [NAME…]`: runs the chaos scenarios against the real worker
/// binary and prints one line each. Exits 1 if any scenario loses, duplicates, leaves a wrong
/// final state or misses a dead letter.
@main
struct Chaos {
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let short = arguments.contains("--short")
        arguments.removeAll { $0 == "--short" }
        guard FileManager.default.isExecutableFile(atPath: Stage.workerBinary.path) else {
            print("contact-sync-chaos: no worker binary at \(Stage.workerBinary.path); build it first (scripts/chaos does: swift build --product contact-sync)")
            exit(2)
        }
        let chosen = Scenarios.all.filter { scenario in arguments.isEmpty || arguments.contains { scenario.name.localizedCaseInsensitiveContains($0) } }
        print("contact-sync-chaos: \(chosen.count) scenarios\(short ? " (short)" : "") against \(Stage.workerBinary.path)")
        print(header)
        var failed = 0
        for scenario in chosen {
            let started = ContinuousClock.now
            do {
                let verdict = try await scenario.run(short)
                print(line(verdict, seconds: (ContinuousClock.now - started).components.seconds))
                if !verdict.passed { failed += 1 }
            } catch {
                print("\(scenario.name.padding(toLength: 44, withPad: " ", startingAt: 0)) ERROR: \(error)")
                failed += 1
            }
        }
        print(failed == 0 ? "chaos: all \(chosen.count) scenarios passed" : "chaos: \(failed) of \(chosen.count) scenarios FAILED")
        exit(failed == 0 ? 0 : 1)
    }

    static let header = [pad("scenario", 44), pad("events", 7), pad("lost", 5), pad("dup", 4), pad("dead-lettered", 14), pad("wrong", 6), pad("secs", 5), "result"].joined(separator: " ")

    static func line(_ v: Verdict, seconds: Int64) -> String {
        var columns = [pad(v.scenario, 44), pad("\(v.events)", 7), pad("\(v.lost)", 5), pad("\(v.duplicated)", 4),
                       pad("\(v.deadLettered)/\(v.badExpected)" + (v.wronglyDeadLettered > 0 ? " +\(v.wronglyDeadLettered)!" : ""), 14),
                       pad("\(v.wrongFinal)", 6), pad("\(seconds)", 5), v.passed ? "pass" : "FAIL"]
        if !v.caughtUp { columns.append("(did not catch up in time)") }
        if !v.note.isEmpty { columns.append("(\(v.note))") }
        return columns.joined(separator: " ")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
