import Foundation

/// The directory holding one instance's stores, locked while the instance runs: two processes
/// sharing one volume by mistake would each take the other's files for its own. As Kafka
/// Streams locks its task directories, an advisory `flock` that the kernel drops with the
/// process, so a killed instance never leaves a stale lock behind.
public final class StateDirectory: Sendable {
    public let path: String
    private let descriptor: Int32

    /// - Throws: when the directory cannot be made, or another process holds it.
    public init(path: String) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StoreError("cannot create the state directory \(path): \(error)")
        }
        let lockPath = path + "/.lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError("cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw StoreError(
                "the state directory \(path) is in use by another process; give each instance its own (state.dir)")
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Bytes of the store files in the directory (for the disk-per-entity figures).
    public var sizeOnDisk: Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.contains(".sqlite") }.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
    }
}
