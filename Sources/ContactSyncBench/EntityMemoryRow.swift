import ContactSyncTesting
import Foundation
import Kafka
import Logging
import PlatformSandbox

/// Peak RSS of the worker binary as the number of distinct entities grows (issue 16 measured
/// 143 MB at 100,000 and 211 MB at 300,000, about 340 bytes an entity, before the state
/// stores): one event per entity, so every entity is new to the guard and gets its own call.
enum EntityMemoryRow {
    static let target = 200.0
    /// Bytes a partition of the source topic holds at most: the mock cluster keeps about 5 MB.
    static let bytesPerPartition = 3_000_000

    static func run(logger: Logger) async throws -> [Bench.Row] {
        guard let binary = WorkerProcess.binary?.path else {
            return [
                .init(
                    name: name(0), figure: "–", target: "≤ \(Int(target)) MB",
                    beside: "not run: contact-sync is not built next to the bench; use scripts/bench", met: nil)
            ]
        }
        return [try await curve(binary: binary, logger: logger)]
    }

    static func curve(binary: String, logger: Logger) async throws -> Bench.Row {
        let steps =
            (ProcessInfo.processInfo.environment["CONTACT_SYNC_BENCH_WORKER_ENTITIES"] ?? "100000,300000")
            .split(separator: ",").compactMap { Int($0) }
        var curve: [(entities: Int, mb: Double)] = []
        var notes: [String] = []
        // About 420 bytes an event; the versions topic gets as many partitions. The same count at
        // every step, so the slope is memory per entity, not per partition.
        let partitions = max(16, (steps.max() ?? 0) * 420 / bytesPerPartition + 1)
        for entities in steps {
            let harness = try await WorkerHarness(partitions: partitions, logger: logger)
            try BenchEvents.produceBacklog(
                keys: entities, versions: 1, topic: harness.topic, bootstrapServers: harness.cluster.bootstrapServers)
            let worker = try WorkerProcess(
                harness: harness, group: "bench-entities", settings: MemoryBench.settings(budget: "0"))
            let exit = try await ChildProcess.run(
                binary, ["run", "--until-caught-up"], environment: worker.environment, timeout: .seconds(1200))
            let wrong = MemoryBench.wrongContacts(harness.sandbox.state(), keys: entities, versions: 1)
            await harness.shutdown()
            let mb = Double(exit.peakRSSBytes) / 1_048_576
            guard exit.status == 0, wrong.total == 0 else {
                return .init(
                    name: name(steps.last ?? entities), figure: "FAILED", target: "≤ \(Int(target)) MB",
                    beside:
                        "\(entities) entities: exit \(exit.status), \(wrong.description): \(exit.stderrTail)",
                    met: false)
            }
            curve.append((entities, mb))
            notes.append(
                "\(formatted(Double(entities))): \(String(format: "%.0f", mb)) MB (\(partitions) partitions, \(String(format: "%.0f", seconds(exit.wallTime))) s)"
            )
        }
        guard let first = curve.first, let last = curve.last else {
            return .init(name: name(0), figure: "–", target: "", beside: "no steps", met: nil)
        }
        let perEntity =
            last.entities > first.entities
            ? (last.mb - first.mb) * 1_048_576 / Double(last.entities - first.entities) : 0
        return .init(
            name: name(last.entities), figure: String(format: "%.0f MB", last.mb), target: "≤ \(Int(target)) MB",
            beside:
                "curve: \(notes.joined(separator: ", ")); \(String(format: "%.0f", perEntity)) bytes per entity from the first step to the last (before the stores: about 340); every entity checked at its event; CONTACT_SYNC_BENCH_WORKER_ENTITIES sets the steps",
            met: last.mb <= target)
    }

    static func name(_ entities: Int) -> String {
        "peak RSS of `contact-sync run --until-caught-up` over \(formatted(Double(entities))) distinct entities (one event each)"
    }
}
