import Crypto

/// A fingerprint of the contact image contact-sync last wrote for an entity: what the worker
/// sent (name, language, URNs, fields, the groups named and the managed ones that implies), not
/// what the platform holds. A change whose image has the same digest would send exactly the last
/// write again, so it is recorded as applied without a call (`skipped`, reason `unchanged`).
///
/// The digest is of the merged patch of a write. A patch names only some members, so the
/// comparison is conservative: a change that names fewer (or other) members than the last
/// write differs, and makes its call. It never judges two different writes equal short of a
/// SHA-256 collision in the first 128 bits.
///
/// A person's edit on the platform is therefore corrected only by the entity's next real change
/// or by a re-sync (`contact-sync resync`, which bypasses the digest).
public struct ImageDigest: Sendable, Hashable, CustomStringConvertible {
    /// SHA-256 of the canonical encoding, truncated to 16 bytes, kept as two big-endian words:
    /// no allocation per digest on the skip path, and equality is two comparisons.
    private let high: UInt64
    private let low: UInt64

    public static let byteCount = 16

    /// The 16 bytes, as the versions topic stores them.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }

    /// `nil` unless `bytes` is exactly 16 bytes long.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// `nil` unless `hex` is 32 lowercase hexadecimal digits (the versions topic's `"h"`).
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == Self.byteCount * 2 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        var index = 0
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes: bytes)
    }

    /// The image a change writes, or `nil` for a delete (a delete has no image to repeat).
    /// `managedGroups` (lower-cased) are part of it when the patch names groups: which groups are
    /// removed depends on them, so a change of configuration makes the next write go out.
    public init?(_ change: ContactChange, managedGroups: Set<String>) {
        self.init(change, sortedManagedGroups: managedGroups.sorted())
    }

    /// `init(_:managedGroups:)` with the managed groups sorted once by the caller (a set has no
    /// order, and sorting it for every change was a tenth of the digest's time).
    public init?(_ change: ContactChange, sortedManagedGroups: [String]) {
        switch change.action {
        case .delete: return nil
        case .upsert(let patch): self.init(patch, recreated: false, managedGroups: sortedManagedGroups)
        case .recreate(let patch): self.init(patch, recreated: true, managedGroups: sortedManagedGroups)
        }
    }

    init(_ patch: ContactPatch, recreated: Bool, managedGroups: [String]) {
        // The usual image (a few hundred bytes) is encoded on the stack: no allocation per digest.
        (high, low) = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { stack in
            var encoding = Encoding(stack: stack)
            encoding.tag(recreated ? 2 : 1)  // the form of the write, and room for later ones
            encoding.member(patch.name)
            encoding.member(patch.language)
            encoding.member(patch.phone)
            encoding.member(patch.whatsapp)
            encoding.member(patch.email)
            if let names = encoding.state(patch.groups) { encoding.sortedList(names) }
            if patch.groups != nil { encoding.sortedList(managedGroups) }
            encoding.length(patch.fields.count)
            for (key, update) in patch.fields { encoding.field(key, update) }  // in key order
            return encoding.digest()
        }
    }

    /// 32 lowercase hexadecimal digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hex }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Unambiguous bytes: every text is length-prefixed, every member has a state tag, so no two
    /// different patches encode alike.
    private struct Encoding {
        /// Where the encoding goes while it fits; past that, all of it moves to `spilled`.
        let stack: UnsafeMutableBufferPointer<UInt8>
        var count = 0
        var spilled: [UInt8]?

        init(stack: UnsafeMutableBufferPointer<UInt8>) { self.stack = stack }

        mutating func put(_ byte: UInt8) {
            if spilled == nil, count < stack.count {
                stack[count] = byte
                count += 1
            } else {
                spill()
                spilled!.append(byte)
            }
        }

        mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            if spilled == nil, count + bytes.count <= stack.count {
                if let source = bytes.baseAddress {
                    (stack.baseAddress! + count).update(from: source, count: bytes.count)
                }
                count += bytes.count
            } else {
                spill()
                spilled!.append(contentsOf: bytes)
            }
        }

        private mutating func spill() {
            if spilled == nil { spilled = Array(stack[..<count]) }
        }

        /// SHA-256 of the bytes, its first 16 as two big-endian words.
        func digest() -> (UInt64, UInt64) {
            let hash =
                if let spilled { SHA256.hash(data: spilled) } else {
                    SHA256.hash(data: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(stack)[..<count]))
                }
            return hash.withUnsafeBytes { raw in
                (
                    UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                    UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                )
            }
        }

        mutating func tag(_ value: UInt8) { put(value) }

        mutating func length(_ count: Int) {
            var length = UInt(count)
            while length >= 0x80 {
                put(UInt8(truncatingIfNeeded: length) | 0x80)
                length >>= 7
            }
            put(UInt8(length))
        }

        mutating func text(_ text: String) {
            length(text.utf8.count)
            // From the string's storage in one copy (appending the UTF8View went byte by byte).
            text.withUTF8Bytes { put($0) }
        }

        mutating func list(_ texts: some Collection<String>) {
            length(texts.count)
            for text in texts { self.text(text) }
        }

        /// `list(texts.sorted())`, without the sorted copy when the texts already ascend
        /// strictly (then `sorted()` could only give them in this order).
        mutating func sortedList(_ texts: some Collection<String>) {
            if zip(texts, texts.dropFirst()).allSatisfy({ $0 < $1 }) {
                list(texts)
            } else {
                list(texts.sorted())
            }
        }

        /// A member's state tag (0 absent, 1 cleared, 2 set); the value to encode after it, if set.
        mutating func state<Value: Sendable & Equatable>(_ update: Update<Value>?) -> Value? {
            switch update {
            case nil:
                tag(0)
                return nil
            case .clear?:
                tag(1)
                return nil
            case .set(let value)?:
                tag(2)
                return value
            }
        }

        mutating func member(_ update: Update<String>?) {
            if let value = state(update) { text(value) }
        }

        /// `member(update.map(\.description))`: the URN's text (`scheme:path`) without making it.
        mutating func member(_ update: Update<URN>?) {
            guard let urn = state(update) else { return }
            length(urn.scheme.utf8.count + 1 + urn.path.utf8.count)
            urn.scheme.withUTF8Bytes { put($0) }
            put(UInt8(ascii: ":"))
            urn.path.withUTF8Bytes { put($0) }
        }

        mutating func field(_ key: String, _ update: Update<FieldValue>) {
            text(key)
            switch update {
            case .clear: tag(1)
            case .set(let value):
                let type: UInt8 =
                    switch value {
                    case .text: 2
                    case .number: 3
                    case .datetime: 4
                    }
                tag(type)
                text(value.text)
            }
        }
    }
}

extension Update {
    /// The same update with its value transformed.
    func map<Other: Sendable & Equatable>(_ transform: (Value) -> Other) -> Update<Other> {
        switch self {
        case .set(let value): .set(transform(value))
        case .clear: .clear
        }
    }
}
