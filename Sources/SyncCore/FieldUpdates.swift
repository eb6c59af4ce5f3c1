/// A patch's field updates by key (or label), kept in key order.
///
/// An event names a handful of fields, and every event of a replay builds these: a short sorted
/// array costs one allocation and a few comparisons where a dictionary also hashed every key,
/// and the digest and the request body, which need the fields in key order, read them as they
/// are instead of sorting a copy. Keys compare as `String` does, so two keys a dictionary
/// would take as one (canonically equivalent text) are one here too.
public struct FieldUpdates: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: Update<FieldValue>)

    /// Ascending by key, each key once.
    private var entries: [Element] = []

    public init() {}

    /// Later entries win, as assigning them one by one would.
    public init(dictionaryLiteral elements: (String, Update<FieldValue>)...) {
        entries.reserveCapacity(elements.count)
        for (key, value) in elements { self[key] = value }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }

    public subscript(key: String) -> Update<FieldValue>? {
        get {
            let index = position(of: key)
            return index < entries.count && entries[index].key == key ? entries[index].value : nil
        }
        set {
            let index = position(of: key)
            let present = index < entries.count && entries[index].key == key
            switch (newValue, present) {
            case (let value?, true): entries[index].value = value
            case (let value?, false) where index == entries.count: entries.append((key, value))
            case (let value?, false): entries.insert((key, value), at: index)
            case (nil, true): entries.remove(at: index)
            case (nil, false): break
            }
        }
    }

    public mutating func reserveCapacity(_ capacity: Int) { entries.reserveCapacity(capacity) }

    /// `other`'s updates over these: where both name a key, `other`'s wins.
    public mutating func merge(_ other: FieldUpdates) {
        for (key, value) in other.entries { self[key] = value }
    }

    public func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }

    public static func == (lhs: FieldUpdates, rhs: FieldUpdates) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// The first index whose key is not below `key` (where it is, or would be inserted).
    private func position(of key: String) -> Int {
        // Events arrive with their fields in the producer's order, often already sorted: a key
        // past the last one is appended without a search.
        if let last = entries.last, last.key < key { return entries.count }
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
