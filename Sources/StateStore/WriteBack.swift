import Dispatch
import Foundation
import Synchronization

/// Gets a file being built onto the disk while it is still being written: `nudge` starts an
/// fsync on a thread of its own (unless one is running), so the fsync that must precede the
/// file's install (`finish`) waits for the last pages only, not the whole file (20 ms for a
/// 20 MB store on the bench's machine, 100 ms on a slow spell, all of it added to a restore).
final class WriteBack: Sendable {
    private let path: String
    private let descriptor: Int32
    private let queue = DispatchQueue(label: "contact-sync-store-write-back")
    private struct State {
        var running = false
        /// A background fsync's error: Linux reports a failed write-back to one fsync only, so
        /// it must not be lost to the final one.
        var failure: String?
    }
    private let state = Mutex(State())

    init(path: String) throws(StoreError) {
        descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StoreError("cannot open \(path) to sync it: \(String(cString: strerror(errno)))")
        }
        self.path = path
    }

    deinit { Foundation.close(descriptor) }

    /// Starts an fsync in the background, unless one is running.
    func nudge() {
        let idle = state.withLock { (state: inout State) -> Bool in
            guard !state.running else { return false }
            state.running = true
            return true
        }
        guard idle else { return }
        queue.async { [self] in
            let failure = fsync(descriptor) == 0 ? nil : String(cString: strerror(errno))
            state.withLock { state in
                state.running = false
                if state.failure == nil { state.failure = failure }
            }
        }
    }

    /// Waits for the background fsync, then syncs what was written since.
    /// - Throws: if any fsync failed: the file may not be whole on the disk.
    func finish() throws(StoreError) {
        queue.sync {}
        let last = fsync(descriptor) == 0 ? nil : String(cString: strerror(errno))
        if let reason = state.withLock({ $0.failure }) ?? last {
            throw StoreError("cannot sync \(path): \(reason)")
        }
    }
}
