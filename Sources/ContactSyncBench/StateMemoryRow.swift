import Foundation
import Logging
import StateStore
import SyncCore

extension StateStoreBench {
    /// The argument that makes the bench binary the memory row's child (see `memoryChild`).
    static let memoryChildFlag = "--state-memory-child"

    /// Peak RSS of the version guard's stores alone as entities accumulate: each step in a
    /// child process of its own (this binary, `memoryChild`), so the figure is the stores' and
    /// not the heap the bench's earlier rows left behind (the last run measured that by mistake:
    /// 266 MB at 100,000 entities, most of it the bench's own).
    static func memoryRow(directory: String, logger: Logger) async throws -> Bench.Row {
        let steps =
            (ProcessInfo.processInfo.environment["CONTACT_SYNC_BENCH_STATE_ENTITIES"]
            ?? "100000,1000000,3000000,10000000")
            .split(separator: ",").compactMap { Int($0) }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var curve: [String] = []
        var peak = 0
        var last = 0
        for entities in steps {
            let path = directory + "/\(entities)"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let exit = try await ChildProcess.run(
                executable, [memoryChildFlag, String(entities), path], timeout: .seconds(1800))
            // The child reports its own high-water mark at its end; the sampler's can miss the last 50 ms.
            let reported = exit.stdout.split(separator: "\n").last { $0.hasPrefix("peak_mb ") }
                .flatMap { Int($0.dropFirst("peak_mb ".count)) }
            guard exit.status == 0, let reported else {
                return .init(
                    name: "peak RSS of the version guard's stores (16 partitions), alone in a process",
                    figure: "FAILED", target: "≤ 200 MB",
                    beside: "child for \(entities) entities: exit \(exit.status): \(exit.stderrTail)", met: false)
            }
            peak = max(reported, exit.peakRSSBytes >> 20)
            last = entities
            let disk = exit.stdout.split(separator: "\n").last { $0.hasPrefix("disk_mb ") }?.dropFirst(8) ?? "?"
            curve.append(
                "\(formatted(Double(entities))): \(peak) MB (\(disk) MB on disk, \(String(format: "%.0f", seconds(exit.wallTime))) s)"
            )
        }
        return .init(
            name:
                "peak RSS of the version guard's stores (16 partitions) with \(formatted(Double(last))) entities, alone in a process",
            figure: "\(peak) MB", target: "≤ 200 MB",
            beside:
                "curve: \(curve.joined(separator: ", ")); each step a fresh process recording its entities as the worker does (flush with a checkpoint every 50,000), then 100,000 reads; CONTACT_SYNC_BENCH_STATE_ENTITIES sets the steps",
            met: peak <= 200)
    }

    /// The child: records `entities` through 16 stores in `directory` as the worker records
    /// them, reads 100,000 back, and prints its peak RSS and the files' size.
    static func memoryChild(_ arguments: [String]) throws {
        guard arguments.count == 2, let entities = Int(arguments[0]) else {
            throw BenchError("usage: contact-sync-bench \(memoryChildFlag) ENTITIES DIRECTORY")
        }
        let directory = arguments[1]
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        StoreMemory.limit(bytes: 96 << 20)
        let stores = try (0..<16).map { partition in
            try PartitionStore(
                directory: directory,
                identity: StoreIdentity(
                    group: "bench", versionsTopic: "bench.versions", partition: Int32(partition), partitions: 16),
                logger: logger)
        }
        for n in 0..<entities {
            try stores[n % 16].record(key(n), applied(n))
            if (n + 1) % 50_000 == 0 { for store in stores { try store.flush(checkpoint: Int64(n + 1)) } }
        }
        for q in 0..<100_000 {
            let n = (q &* 7919) % entities
            _ = try stores[n % 16].last(key(n))
        }
        for store in stores { try store.close(checkpoint: Int64(entities)) }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let bytes = files.reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + file)[.size]) as? Int
            return total + (size ?? 0)
        }
        print("disk_mb \(bytes >> 20)")
        print("peak_mb \(ownPeakRSSMB())")
    }
}

/// This process's peak resident memory (`VmHWM`), in MB.
func ownPeakRSSMB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) / 1024
}
