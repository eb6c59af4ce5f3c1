import Foundation
import Logging
import StateStore
import SyncCore
import Synchronization

/// A fresh directory under the system's temporary one, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "state-store-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

let identity = StoreIdentity(
    group: "contact-sync", versionsTopic: "contact-sync.versions", partition: 3, partitions: 16)

func version(_ value: Int64, deleted: Bool = false, uuid: String? = "uuid-1") -> AppliedVersion {
    AppliedVersion(version: .sequence(value), eventID: "evt-\(value)", deleted: deleted, contactUUID: uuid)
}

/// Copies a store's files as they are on disk now, as a process killed at this moment leaves
/// them (the database, its WAL and shared-memory index).
func snapshotFiles(of store: PartitionStore, into directory: String) {
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: store.path + suffix) {
        let target = directory + "/" + (store.path as NSString).lastPathComponent + suffix
        try? FileManager.default.removeItem(atPath: target)
        try? FileManager.default.copyItem(atPath: store.path + suffix, toPath: target)
    }
}

extension PartitionStore {
    /// Restores `records` (key, encoded value or `nil` for a tombstone) and moves the checkpoint.
    func restore(_ records: [(String, [UInt8]?)], next: Int64) throws {
        try restore(next: next) { batch in
            for (key, value) in records {
                var keyText = key
                try keyText.withUTF8 { rawKey in
                    if let value {
                        try value.withUnsafeBytes { try batch.put(key: UnsafeRawBufferPointer(rawKey), value: $0) }
                    } else {
                        try batch.remove(key: UnsafeRawBufferPointer(rawKey))
                    }
                }
            }
        }
    }
}
