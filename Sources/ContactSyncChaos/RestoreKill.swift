import ContactSyncTesting
import Foundation

/// A run of the worker killed with SIGKILL while it writes a restore: a store of the run is open
/// and not caught up with the versions topic (no "state restored" yet), and the state directory
/// is growing. However the worker writes a restore (batches through a WAL, or a file built and
/// then put in place), what it leaves is half-written: the next start must find it short.
struct RestoreKill {
    /// Versions partitions whose store the run opened and whose restore had not ended at the
    /// kill (empty when no write was seen: every store restored first, or the run exited).
    var partitions: [String] = []
    /// How much the state directory had grown by in this run when the kill was sent.
    var grownBytes = 0
    /// Everything the run logged.
    var lines: [WorkerLogLine] = []

    /// Opening a store writes a few pages; a restore's batches or built file pass this.
    static let restoreWrites = 256 << 10

    /// Starts a run and kills it as soon as the state directory is seen growing past
    /// `restoreWrites` while a store it opened (`watching`'s, or any) is not restored; kills it
    /// all the same after `deadline` or once every store is restored.
    static func run(
        _ kept: KeptState, partitions: Int, watching: String? = nil, extra: [String: String],
        deadline: Duration = .seconds(60)
    ) async throws -> RestoreKill {
        let mark = kept.logMark
        let started = Date()
        // Growth counts from the smallest the directory was in this run: a damaged store is
        // deleted before its rebuild writes it again.
        var low = kept.directoryBytes
        let process = try kept.workers.start(extra: extra)
        let end = ContinuousClock.now + deadline
        var previous = low
        var writing = false
        while !writing, process.isRunning, ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(3))
            let bytes = kept.directoryBytes
            low = min(low, bytes)
            let restored = restoredPartitions(kept.lines(since: mark))
            if restored.count >= partitions { break }
            let open = opened(kept, since: started).subtracting(restored)
            let restoring = watching.map(open.contains) ?? !open.isEmpty
            writing = restoring && bytes > low + restoreWrites && bytes > previous
            previous = bytes
        }
        WorkerProcess.killNine(process)
        // The worker writes each log line unbuffered, so the log is whole now: a partition
        // counts only if its restore had still not ended when the process died.
        let lines = kept.lines(since: mark)
        let open = opened(kept, since: started).subtracting(restoredPartitions(lines))
        return RestoreKill(
            partitions: writing ? open.sorted() : [], grownBytes: writing ? previous - low : 0, lines: lines)
    }

    /// Starts a run and kills it as soon as every store is restored (warm: only the topic's
    /// tail), before it flushes anything: its WAL then holds little but the tail, and the pages
    /// the earlier runs wrote lie in the database files. Returns whether it got that far.
    static func afterRestores(_ kept: KeptState, partitions: Int, extra: [String: String]) async throws -> Bool {
        let mark = kept.logMark
        let process = try kept.workers.start(extra: extra)
        let end = ContinuousClock.now + .seconds(60)
        var restored = 0
        while restored < partitions, process.isRunning, ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(5))
            restored = restoredPartitions(kept.lines(since: mark)).count
        }
        let running = process.isRunning
        WorkerProcess.killNine(process)
        return running && restored >= partitions
    }

    /// Partitions whose store file or WAL was written since `date`: the run opened them.
    static func opened(_ kept: KeptState, since date: Date) -> Set<String> {
        Set(
            kept.storeFiles.filter { file in
                [file, file + "-wal"].contains { modified($0).map { $0 >= date } ?? false }
            }
            .map(partition(of:)))
    }

    static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// The first restore of each of `partitions` in `lines` that reused its file short of the
    /// topic's end: the evidence that the kill left that store half-written.
    func resumedShort(in lines: [WorkerLogLine]) -> [WorkerLogLine] {
        partitions.compactMap { partition in
            lines.first { $0.isStateRestored && $0.fields["partition"] == partition }
        }
        .filter { line in
            guard line.warm == true, let from = line.fields["from"].flatMap({ Int64($0) }),
                let end = line.fields["end"].flatMap({ Int64($0) })
            else { return false }
            return from < end
        }
    }

    static func restoredPartitions(_ lines: [WorkerLogLine]) -> Set<String> {
        Set(lines.filter(\.isStateRestored).compactMap { $0.fields["partition"] })
    }

    /// A store file is `<versions topic>-<partition>.sqlite`.
    static func partition(of file: String) -> String {
        let name = (file as NSString).lastPathComponent.replacingOccurrences(of: ".sqlite", with: "")
        return name.split(separator: "-").last.map(String.init) ?? name
    }
}
