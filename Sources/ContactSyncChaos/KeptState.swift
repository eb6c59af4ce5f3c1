import ContactSyncTesting
import Foundation

/// A state directory (`CONTACT_SYNC_STATE_DIR`) that one stage's workers share from run to run,
/// as a deployment's volume outlives its pods, and the workers' log (info level, JSON lines),
/// read from outside: the store scenarios judge what the worker said about its store and what
/// lies on disk, never the worker's memory.
struct KeptState: Sendable {
    /// The scratch directory holding the state directory and the log; removed by `remove`.
    let scratch: String
    /// The state directory the workers are given (it may be deleted between runs).
    let directory: String
    let log: String
    /// The stage's workers, with the state directory and the log.
    let workers: WorkerProcess

    init(_ stage: Stage) throws {
        scratch = NSTemporaryDirectory() + "contact-sync-chaos-\(stage.workers.group)-\(UUID().uuidString)"
        directory = scratch + "/state"
        // CHAOS_WORKER_LOG keeps the log where the rest of the suite's go.
        log = ProcessInfo.processInfo.environment["CHAOS_WORKER_LOG"] ?? scratch + "/worker.log"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        var settings = stage.workers.environment
        settings["CONTACT_SYNC_STATE_DIR"] = directory
        settings["CONTACT_SYNC_LOG_LEVEL"] = "info"
        settings["CONTACT_SYNC_LOG_FORMAT"] = "json"
        workers = try WorkerProcess(harness: stage.harness, group: stage.workers.group, settings: settings, log: log)
    }

    /// The store files (one per versions partition) in the state directory now.
    var storeFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".sqlite") }.sorted().map { directory + "/" + $0 }
    }

    /// The bytes of every file in the state directory now (stores, WALs, files being built).
    var directoryBytes: Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            return total + ((attributes?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }

    /// Where the log ends now: a run's lines are those past its start's mark.
    var logMark: UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: log))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// The worker's log lines written since `mark`.
    func lines(since mark: UInt64) -> [WorkerLogLine] {
        guard let handle = FileHandle(forReadingAtPath: log) else { return [] }
        defer { try? handle.close() }
        try? handle.seek(toOffset: mark)
        let data = (try? handle.readToEnd()) ?? Data()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap(WorkerLogLine.init)
    }

    /// Removes the scratch directory (the log too, unless it is `CHAOS_WORKER_LOG`'s).
    func remove() {
        try? FileManager.default.removeItem(atPath: scratch)
    }
}

/// One JSON line of the worker's log: its message and its fields, as text.
struct WorkerLogLine: Sendable {
    let message: String
    let fields: [String: String]

    init?(_ line: Substring) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let message = object["message"] as? String
        else { return nil }
        self.message = message
        fields = object.compactMapValues { $0 as? String }
    }

    /// A store opened and caught up with its partition of the versions topic.
    var isStateRestored: Bool { message == "state restored" }
    /// A store file found damaged or foreign, rebuilt from the topic.
    var isStoreRebuilt: Bool { message.hasPrefix("state store rebuilt from the versions topic") }
    /// For "state restored": whether the store reused a file of an earlier run.
    var warm: Bool? { fields["warm"].map { $0 == "true" } }
    /// For "state restored": how many versions records it read from the topic.
    var records: Int? { fields["records"].flatMap { Int($0) } }
    /// For "state restored": the partition and the offsets it read, as `p1 5000..30000`.
    var restoredSpan: String { "p\(fields["partition"] ?? "-") \(fields["from"] ?? "-")..\(fields["end"] ?? "-")" }
}
