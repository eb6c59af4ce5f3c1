import Foundation

/// This process's peak resident set (VmHWM) after every run above.
enum MemoryBench {
    static func row() -> Bench.Row {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let kb = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let mb = Double(kb) / 1024
        return .init(name: "peak RSS of this process (all runs above: 3,900 events end to end, 400k decoded, 80k Kafka messages)",
                     figure: String(format: "%.0f MB", mb), target: "≤ 150 MB (1M-event backlog)", beside: "1M-event backlog not run", met: nil)
    }
}
