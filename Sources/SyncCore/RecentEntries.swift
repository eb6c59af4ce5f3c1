/// A bounded map of recently used entries (in front of a state store, or of the platform's
/// answers): at most `capacity` entries, whatever the number of entities.
///
/// Two generations instead of a linked LRU list: entries go to `young`; when it is full it
/// becomes `old` and the previous `old` is dropped; a hit in `old` moves the entry back to
/// `young`. What was used within the last `capacity / 2` insertions always stays, at O(1) per
/// operation and no per-entry links (the entries are small, the links would double them).
public struct RecentEntries<Value> {
    private var young: [String: Value] = [:]
    private var old: [String: Value] = [:]
    private let half: Int

    public init(capacity: Int) {
        half = max(1, capacity / 2)
    }

    public var count: Int { young.count + old.count }

    public mutating func value(_ key: String) -> Value? {
        if let value = young[key] { return value }
        guard let value = old.removeValue(forKey: key) else { return nil }
        insert(key, value)
        return value
    }

    public mutating func insert(_ key: String, _ value: Value) {
        if young.updateValue(value, forKey: key) == nil {
            old[key] = nil
            if young.count >= half {
                old = young
                young = [:]
                young.reserveCapacity(half)
            }
        }
    }

    public mutating func remove(_ key: String) {
        young[key] = nil
        old[key] = nil
    }

    public mutating func removeAll() {
        young = [:]
        old = [:]
    }
}

extension RecentEntries: Sendable where Value: Sendable {}
