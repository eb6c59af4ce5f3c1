import Foundation
import Logging
import SyncCore

/// `swift run -c release contact-sync-bench`: measures what the issues promise and prints a
/// table (also written to docs/benchmarks.md). Figures from one run on one machine: compare
/// the ratios, not the absolute numbers.
@main
struct Bench {
    struct Row {
        let name: String
        let figure: String
        let target: String
        let beside: String
        let met: Bool?
    }

    /// One measured area; `contact-sync-bench NAME…` runs only the named ones (for profiling one).
    struct Section: Sendable {
        let name: String
        let run: @Sendable (Logger) async throws -> [Row]
    }

    static let sections: [Section] = [
        Section(name: "pipeline") { _ in PipelineBench.run() + (try await AvroDecodeBench.run()) },
        Section(name: "skip") { _ in SkipPathBench.run() },
        Section(name: "kafka") { try await KafkaBench.run(logger: $0) },
        Section(name: "e2e") { try await EndToEndBench.run(logger: $0) },
        Section(name: "memory") { try await MemoryBench.run(logger: $0) },
        Section(name: "entities") { try await EntityMemoryRow.run(logger: $0) },
        Section(name: "budget") { try await BudgetBench.run(logger: $0) },
        Section(name: "rolling") { try await RollingDeployBench.run(logger: $0) },
        Section(name: "restore") { try await StateStoreBench.runRestores(logger: $0) },
        Section(name: "state") { try await StateStoreBench.runMemory(logger: $0) },
    ]

    static func main() async throws {
        var quiet = Logger(label: "bench")
        quiet.logLevel = .critical
        if CommandLine.arguments.dropFirst().first == StateStoreBench.memoryChildFlag {
            return try StateStoreBench.memoryChild(Array(CommandLine.arguments.dropFirst(2)))
        }
        let wanted = Set(CommandLine.arguments.dropFirst())
        if let unknown = wanted.first(where: { name in !sections.contains { $0.name == name } }) {
            print(
                "contact-sync-bench: no section named '\(unknown)'; sections: \(sections.map(\.name).joined(separator: ", "))"
            )
            exit(64)
        }
        let chosen = wanted.isEmpty ? sections : sections.filter { wanted.contains($0.name) }
        var rows: [Row] = []
        print("contact-sync-bench: measuring \(chosen.map(\.name).joined(separator: ", ")) (a few minutes for all)…")
        for section in chosen {
            rows += try await section.run(quiet)
            print("  \(section.name): done")
        }
        let table = render(rows)
        print(table)
        // Only a full run stands for the project's figures.
        guard wanted.isEmpty else { return }
        let machine = machineDescription()
        let doc = """
            # Benchmarks

            Produced by `scripts/bench` (release builds of `contact-sync-bench` and `contact-sync`) on \(machine), \(ISO8601DateFormatter().string(from: Date())), \(Self.sourceRevision()).
            A row that took more than one run says so and shows every run's figure beside it (the Kafka
            rows and the cold restore; the budget rows under CONTACT_SYNC_BENCH_RUNS); every other row
            is one run. Compare the ratios within this run, not absolute numbers across machines. How
            each row is measured:
            [benchmarks-method.md](benchmarks-method.md).

            \(table)

            """
        let url = URL(fileURLWithPath: "docs/benchmarks.md")
        try? doc.write(to: url, atomically: true, encoding: .utf8)
        print("\nwritten to docs/benchmarks.md")
    }

    static func render(_ rows: [Row]) -> String {
        var lines = ["| measure | figure | target | beside it | met |", "|---|---|---|---|---|"]
        for row in rows {
            lines.append(
                "| \(row.name) | \(row.figure) | \(row.target) | \(row.beside) | \(row.met.map { $0 ? "yes" : "**no**" } ?? "–") |"
            )
        }
        return lines.joined(separator: "\n")
    }

    /// The commit measured, so a figure can be traced to its code (`-dirty` when the tree differs).
    static func sourceRevision() -> String {
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "describe", "--always", "--dirty"]
        let out = Pipe()
        git.standardOutput = out
        git.standardError = FileHandle.nullDevice
        guard (try? git.run()) != nil else { return "commit unknown" }
        git.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return "commit " + text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func machineDescription() -> String {
        let cpu =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?
            .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return
            "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB"
    }
}

func rate(_ count: Int, _ duration: Duration) -> Double {
    Double(count) / seconds(duration)
}

func seconds(_ duration: Duration) -> Double {
    let (s, atto) = duration.components
    return Double(s) + Double(atto) / 1e18
}

func formatted(_ value: Double) -> String {
    value >= 1000
        ? String(format: "%.0f", value).reversed().enumerated().reduce("") {
            $0 + ($1.offset > 0 && $1.offset % 3 == 0 ? "," : "") + String($1.element)
        }.reversed().map(String.init).joined() : String(format: "%.2f", value)
}
