/// Not every broker keeps the offset commit's metadata (Tansu 0.6 answers none), and a member's
/// last commit can be refused (the group moved to a new generation while it was leaving). So a
/// member giving partitions up also leaves, in the versions topic, a record per source partition
/// under a key no entity can have (entity keys are URNs, which never hold a NUL): the offset it
/// had done everything before, and what it finished past it, in the metadata's text form (no
/// ranges when nothing is done past it). The partition's next owner reads it while it restores
/// the versions partition.
///
/// Offsets name one record for the life of a topic, so what such a record says stays true: the
/// next owner skips what it names at or past the offset the group committed, and ignores a
/// record older than that commit (or any, while the group has none). A worker of an older release hands the value to its store,
/// which cannot read it and keeps nothing.
extension DoneOffsets {
    private static let keyPrefix: [UInt8] = [0] + Array("done".utf8) + [0]

    /// The versions topic's key for what is done in `topic`'s `partition`.
    public static func versionsKey(topic: String, partition: Int32) -> [UInt8] {
        keyPrefix + Array(topic.utf8) + [0] + Array(String(partition).utf8)
    }

    /// The source partition a versions key names, or `nil` for an entity's key.
    public static func source(ofVersionsKey key: UnsafeRawBufferPointer) -> (topic: String, partition: Int32)? {
        guard key.count > keyPrefix.count, key.starts(with: keyPrefix) else { return nil }
        let rest = key[keyPrefix.count...]
        guard let separator = rest.lastIndex(of: 0),
            let partition = Int32(String(decoding: rest[(separator + 1)...], as: UTF8.self)), partition >= 0
        else { return nil }
        return (String(decoding: rest[..<separator], as: UTF8.self), partition)
    }

    /// The versions topic's value: `metadata`, or `cs1:<committed>:` when nothing past
    /// `committed` is done.
    public var versionsText: String { metadata ?? "\(Self.prefix)\(committed):" }

    /// Reads a versions topic value: `committed` is then the offset its writer had done
    /// everything before; `nil` for anything else.
    public init?(versionsText: String) {
        guard let parsed = Self.parse(versionsText) else { return nil }
        self = parsed
    }
}
