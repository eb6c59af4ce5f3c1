import Foundation
import Synchronization

extension PartitionStore {
    /// Starts the bulk restore of a store with no checkpoint (new, deleted, rebuilt or wiped):
    /// the whole partition is read, so the file is built anew from it (`ColdLoad`) rather than
    /// updated. Whatever the file held is replaced: without a checkpoint nothing in it is
    /// covered, and every entry it got was on the topic first.
    /// - Throws: for a store that has a checkpoint (its tail goes through `restore`).
    public func coldLoad() throws(StoreError) -> ColdLoad {
        guard checkpoint == nil else { throw StoreError("a cold load is for a store without a checkpoint") }
        StoreFile.removeLeftovers(of: path)
        return ColdLoad(prefix: path + ".cold", budgetBytes: options.coldRunBytes)
    }

    /// Builds the store from `load`, with checkpoint `next`, and puts it in place of the file:
    /// until the new file is complete and synced the store keeps no checkpoint, so a restore
    /// killed at any point leaves a store read again from the topic's start.
    public func finish(_ load: ColdLoad, next: Int64) throws {
        let built = path + ".cold"
        defer { load.discard() }
        try StoreFile.build(path: built, identity: identity, checkpoint: next, cacheKB: options.coldCacheKB) {
            emit in
            // On the merge's thread, beside the inserts. A value that does not read as a
            // version leaves its key out: no state, as it meant on the topic.
            var value: [UInt8] = []
            try load.drain { key, json in
                value.removeAll(keepingCapacity: true)
                guard StoredVersion.transcode(json, into: &value) else { return }
                try value.withUnsafeBytes { try emit(key, $0) }
            }
        }
        try state.withLock { (state: inout State) throws in
            let dirty = state.dirty
            state.closeConnection()
            state.closed = true
            state.broken = true
            var failure: StoreError?
            do {
                try StoreFile.install(built, at: path)
            } catch let error as StoreError {
                StoreFile.remove(path: built)
                failure = error
            }
            // Whichever file is there now: the new one, or the old one if the move failed.
            let (connection, _) = try StoreFile.open(
                path: path, identity: identity, cacheKB: options.cacheKB, logger: logger)
            state = try State(connection: connection, recentEntries: options.recentEntries)
            state.dirty = dirty
            if let failure { throw failure }
        }
    }
}
