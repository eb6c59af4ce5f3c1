/// Whose state a store file holds. A store whose identity differs from the one expected (another
/// consumer group, another versions topic, another partition count and so another mapping of
/// entities to partitions, an older file format) is foreign: it is rebuilt, never trusted.
public struct StoreIdentity: Sendable, Equatable {
    /// Bumped whenever the file's tables or the meaning of a column change.
    public static let formatVersion: Int64 = 4

    public var group: String
    public var versionsTopic: String
    public var partition: Int32
    /// The versions topic's partition count: entities map to partitions by it.
    public var partitions: Int32
    public var format: Int64

    public init(group: String, versionsTopic: String, partition: Int32, partitions: Int32) {
        self.group = group
        self.versionsTopic = versionsTopic
        self.partition = partition
        self.partitions = partitions
        self.format = Self.formatVersion
    }

    /// The rows of the `meta` table that hold it.
    var rows: [(String, String)] {
        [
            ("group", group), ("versions_topic", versionsTopic), ("partition", String(partition)),
            ("partitions", String(partitions)), ("format", String(format)),
        ]
    }

    /// How `found` differs from `self`, for the log line; `nil` when it is the same store.
    func mismatch(_ found: [String: String]) -> String? {
        let differing = rows.filter { found[$0.0] != $0.1 }
        guard !differing.isEmpty else { return nil }
        return differing.map { "\($0.0) is \(found[$0.0].map { "'\($0)'" } ?? "missing"), expected '\($0.1)'" }
            .joined(separator: ", ")
    }

    /// The file name inside the state directory: one file per versions partition.
    var fileName: String {
        let safe = versionsTopic.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        return "\(String(safe))-\(partition).sqlite"
    }
}
