/// The offsets of a partition that are done past its committed offset, carried in the offset
/// commit's metadata (as Confluent's parallel consumer does), so the partition's next owner
/// skips them instead of doing them again: a record dead-lettered or applied while an older one
/// still waited for the platform's budget is done, but not committable.
///
/// Text form: `cs1:<committed>:<ranges>`, the ranges relative to the committed offset in base
/// 36 (`3-5,9` is committed+3 through committed+5 and committed+9). Kafka refuses metadata past
/// `offset.metadata.max.bytes` (4,096 by default) with the whole commit, so the text is cut to
/// `maxBytes`, dropping the farthest ranges: those are only done again, never lost. Metadata for
/// another committed offset (a commit without it came later) says nothing and is ignored.
public struct DoneOffsets: Sendable, Equatable {
    /// The committed offset the ranges are relative to (the next one to read).
    public let committed: Int64
    public let offsets: [Int64]

    public static let maxBytes = 3_000
    static let prefix = "cs1:"

    public init(committed: Int64, offsets: some Sequence<Int64>) {
        self.committed = committed
        self.offsets = offsets.filter { $0 > committed }.sorted()
    }

    /// The metadata text, or `nil` when nothing past the committed offset is done.
    public var metadata: String? {
        guard !offsets.isEmpty else { return nil }
        var text = "\(Self.prefix)\(committed):"
        var first = true
        for (low, high) in ranges {
            let part =
                String(low - committed, radix: 36) + (high > low ? "-" + String(high - committed, radix: 36) : "")
            if text.utf8.count + part.utf8.count + 1 > Self.maxBytes { break }
            text += (first ? "" : ",") + part
            first = false
        }
        return first ? nil : text
    }

    /// Reads metadata committed with `committed`; `nil` for anything else (another tool's
    /// metadata, an older commit's, a damaged text).
    public init?(metadata: String?, committed: Int64) {
        guard let parsed = Self.parse(metadata), parsed.committed == committed, !parsed.offsets.isEmpty else {
            return nil
        }
        self = parsed
    }

    /// The text's committed offset and ranges, none allowed (the versions topic's form); `nil`
    /// for anything else.
    static func parse(_ text: String?) -> DoneOffsets? {
        guard let text, text.hasPrefix(Self.prefix) else { return nil }
        let fields = text.dropFirst(Self.prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 2, let base = Int64(fields[0]), base >= 0 else { return nil }
        var offsets: [Int64] = []
        for part in fields[1].split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count),
                let low = Int64(bounds[0], radix: 36), let high = Int64(bounds.last!, radix: 36),
                low > 0, high >= low, high - low < 1_000_000, high <= Int64.max - base
            else { return nil }
            offsets.append(contentsOf: (base + low)...(base + high))
        }
        return DoneOffsets(committed: base, offsets: offsets)
    }

    /// Whether `offset` is among the done ones.
    public func contains(_ offset: Int64) -> Bool {
        var low = 0
        var high = offsets.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if offsets[mid] == offset { return true }
            if offsets[mid] < offset { low = mid + 1 } else { high = mid - 1 }
        }
        return false
    }

    private var ranges: [(Int64, Int64)] {
        var result: [(Int64, Int64)] = []
        for offset in offsets {
            if let last = result.last, last.1 + 1 == offset {
                result[result.count - 1].1 = offset
            } else if result.last?.1 != offset {
                result.append((offset, offset))
            }
        }
        return result
    }
}
