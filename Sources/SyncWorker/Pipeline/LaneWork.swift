import Kafka
import SyncCore

/// One lane turn's records of one entity: the version stored for it, the records the version
/// guard let through (`kept`), and the running version they advance. Records taken while the
/// turn waited for budget are added and sifted in the same way.
struct LaneWork {
    private var items: [WorkItem]
    private var sifted = 0
    private var keptBeforeAdd = 0
    private(set) var kept: [WorkItem] = []
    /// What the store held for the entity when the turn began.
    private(set) var stored: AppliedVersion?
    /// The newest version among `stored` and `kept`: what the guard compares the next record to.
    private(set) var running: AppliedVersion?
    /// `kept` folded into one change, and its image's digest, for the `kept.count` they were
    /// made of: the unchanged check and the write share them.
    private var folded: (count: Int, change: ContactChange)?
    private var foldedDigest: (count: Int, digest: ImageDigest?)?

    init(_ items: [WorkItem]) {
        self.items = items
    }

    /// The source partition whose versions partition holds the entity's state.
    var source: Int32? { items.first?.record.partition }

    mutating func start(from stored: AppliedVersion?) {
        self.stored = stored
        running = stored
    }

    /// The records not sifted yet (each handed out once).
    mutating func unsifted() -> ArraySlice<WorkItem> {
        defer { sifted = items.count }
        return items[sifted...]
    }

    /// The guard let `item` through: it is part of the change.
    mutating func keep(_ item: WorkItem) {
        kept.append(item)
        let change = item.change!
        let newer = running.map { VersionGuard.newer(change.version, $0.version) } ?? change.version
        running = AppliedVersion(
            version: newer, eventID: change.eventID, deleted: change.isDelete, contactUUID: running?.contactUUID,
            urns: running?.urns)
    }

    /// Records that arrived while the turn waited.
    mutating func add(_ more: [WorkItem]) {
        keptBeforeAdd = kept.count
        items += more
    }

    /// The kept changes folded into one (`ContactChange.merge`).
    mutating func merged() -> ContactChange {
        if let folded, folded.count == kept.count { return folded.change }
        let change = ContactChange.merge(kept.map { $0.change! })
        folded = (kept.count, change)
        return change
    }

    /// The digest of the image `merged()` writes; `nil` for a delete.
    mutating func digest(sortedManagedGroups: [String]) -> ImageDigest? {
        if let foldedDigest, foldedDigest.count == kept.count { return foldedDigest.digest }
        let digest = ImageDigest(merged(), sortedManagedGroups: sortedManagedGroups)
        foldedDigest = (kept.count, digest)
        return digest
    }

    /// Whether the records last added kept any (the change is then another one).
    var grew: Bool { kept.count > keptBeforeAdd }

    /// Whether the change calls `contacts.json` (anything but deletes).
    var needsContactCall: Bool { kept.contains { !($0.change?.isDelete ?? true) } }
}
