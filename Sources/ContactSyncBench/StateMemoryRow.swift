import Foundation
import Logging
import StateStore
import SyncCore

extension StateStoreBench {
    /// Peak RSS while entities are recorded through 16 stores as the worker records them (a
    /// flush with a checkpoint every 50,000), with 100,000 reads at each step.
    static func memoryRow(directory: String, logger: Logger) throws -> Bench.Row {
        let steps =
            (ProcessInfo.processInfo.environment["CONTACT_SYNC_BENCH_STATE_ENTITIES"] ?? "100000,300000,1000000")
            .split(separator: ",").compactMap { Int($0) }
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)  // resets VmHWM
        let stores = try (0..<16).map { partition in
            try PartitionStore(
                directory: directory,
                identity: StoreIdentity(
                    group: "bench", versionsTopic: "bench.versions", partition: Int32(partition), partitions: 16),
                logger: logger)
        }
        var done = 0
        var curve: [String] = []
        var peak = 0
        for target in steps {
            while done < target {
                try stores[done % 16].record(key(done), applied(done))
                done += 1
                if done % 50_000 == 0 { for store in stores { try store.flush(checkpoint: Int64(done)) } }
            }
            for q in 0..<100_000 {
                let n = (q &* 7919) % done
                _ = try stores[n % 16].last(key(n))
            }
            peak = ownPeakRSSMB()
            curve.append("\(formatted(Double(done))): \(peak) MB")
        }
        for store in stores { try store.close(checkpoint: Int64(done)) }
        return .init(
            name: "peak RSS of the version guard's stores (16 partitions) with \(formatted(Double(done))) entities",
            figure: "\(peak) MB", target: "≤ 200 MB",
            beside: "curve: \(curve.joined(separator: ", ")); CONTACT_SYNC_BENCH_STATE_ENTITIES sets the steps",
            met: peak <= 200)
    }
}

/// This process's peak resident memory (`VmHWM`), in MB.
func ownPeakRSSMB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) / 1024
}
