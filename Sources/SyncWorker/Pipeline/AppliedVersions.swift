import SyncCore

/// The version guard's memory: what was last applied to each entity of the assigned
/// partitions. The versions topic (`DurableWriter.saveVersion`) is its durable copy, read back
/// by `VersionLoader` when partitions are assigned.
actor AppliedVersions {
    private var applied: [String: AppliedVersion] = [:]

    func last(_ key: String) -> AppliedVersion? { applied[key] }

    func record(_ key: String, _ version: AppliedVersion) {
        applied[key] = version
    }

    /// Versions read from the topic; an entry already here and newer wins (it was applied
    /// after the topic was read).
    func load(_ versions: [String: AppliedVersion]) {
        applied.merge(versions) { current, loaded in
            VersionGuard.isOlder(loaded.version, than: current.version) ? current : loaded
        }
    }
}
