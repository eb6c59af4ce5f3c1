import SyncCore

/// How a store file holds an `AppliedVersion`: binary, about 47 bytes where the versions
/// topic's JSON takes 120, so a cold build writes less than half the pages (SQLite's insert
/// cost follows the bytes: 150,000 sorted rows took 115 ms with 120-byte values and 85 ms with
/// 60-byte ones, in C on SQLite 3.40) and every page read holds twice the entities.
///
/// `[flags][version: Int64 LE][event id][contact UUID][URNs]`, where the flags say deleted, the
/// version's kind, whether a UUID follows, for the event id and the UUID whether each is a
/// canonical lowercase UUID (16 bytes) or text (a length then UTF-8), and whether URNs follow
/// (a count, then each as text), and whether the 16 bytes of an image digest end it.
enum StoredVersion {
    private static let deleted: UInt8 = 1
    private static let timestamp: UInt8 = 2
    private static let hasContact: UInt8 = 4
    private static let contactIsUUID: UInt8 = 8
    private static let eventIsUUID: UInt8 = 16
    private static let hasURNs: UInt8 = 32
    private static let hasDigest: UInt8 = 64

    static func encode(_ version: AppliedVersion, into bytes: inout [UInt8]) {
        let start = bytes.count
        var event = version.eventID
        var contact = version.contactUUID
        event.withUTF8 { event in
            if contact == nil {
                write(version.version, version.deleted, UnsafeRawBufferPointer(event), nil, into: &bytes)
            } else {
                contact!.withUTF8 {
                    write(
                        version.version, version.deleted, UnsafeRawBufferPointer(event), UnsafeRawBufferPointer($0),
                        into: &bytes)
                }
            }
        }
        if let urns = version.urns { appendURNs(urns, to: &bytes, flagsAt: start) }
        if let digest = version.digest { appendDigest(digest.bytes, to: &bytes, flagsAt: start) }
    }

    /// Sets the flag and appends the digest (always after the URNs).
    private static func appendDigest(_ digest: [UInt8], to bytes: inout [UInt8], flagsAt start: Int) {
        bytes[start] |= hasDigest
        bytes.append(contentsOf: digest)
    }

    /// Sets the flag and appends the list (the last part of an encoding).
    private static func appendURNs(_ urns: [String], to bytes: inout [UInt8], flagsAt start: Int) {
        bytes[start] |= hasURNs
        appendLength(urns.count, to: &bytes)
        for var urn in urns { urn.withUTF8 { appendText(UnsafeRawBufferPointer($0), to: &bytes) } }
    }

    private static func write(
        _ version: OrderingVersion, _ isDeleted: Bool, _ event: UnsafeRawBufferPointer,
        _ contact: UnsafeRawBufferPointer?, into bytes: inout [UInt8]
    ) {
        var flags: UInt8 = isDeleted ? deleted : 0
        if version.kind == .timestamp { flags |= timestamp }
        let eventUUID = UUIDBytes(utf8: event)
        if eventUUID != nil { flags |= eventIsUUID }
        var contactUUID: UUIDBytes?
        if let contact {
            flags |= hasContact
            contactUUID = UUIDBytes(utf8: contact)
            if contactUUID != nil { flags |= contactIsUUID }
        }
        bytes.append(flags)
        withUnsafeBytes(of: version.value.littleEndian) { bytes.append(contentsOf: $0) }
        if let eventUUID { eventUUID.append(to: &bytes) } else { appendText(event, to: &bytes) }
        if let contactUUID {
            contactUUID.append(to: &bytes)
        } else if let contact {
            appendText(contact, to: &bytes)
        }
    }

    static func encoded(_ version: AppliedVersion) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        encode(version, into: &bytes)
        return bytes
    }

    /// `nil` for bytes this encoding did not write.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> AppliedVersion? {
        var reader = Reader(bytes: bytes)
        let known = deleted | timestamp | hasContact | contactIsUUID | eventIsUUID | hasURNs | hasDigest
        guard let flags = reader.byte(), flags & ~known == 0, let value = reader.int64() else { return nil }
        let event = flags & eventIsUUID != 0 ? reader.uuid() : reader.text()
        guard let event else { return nil }
        var contact: String?
        if flags & hasContact != 0 {
            contact = flags & contactIsUUID != 0 ? reader.uuid() : reader.text()
            guard contact != nil else { return nil }
        }
        var urns: [String]?
        if flags & hasURNs != 0 {
            guard let count = reader.length(), count <= bytes.count else { return nil }
            var list: [String] = []
            list.reserveCapacity(count)
            for _ in 0..<count {
                guard let urn = reader.text() else { return nil }
                list.append(urn)
            }
            urns = list
        }
        var digest: ImageDigest?
        if flags & hasDigest != 0 {
            guard let read = reader.take(ImageDigest.byteCount) else { return nil }
            digest = ImageDigest(bytes: read)
        }
        guard reader.atEnd else { return nil }
        return AppliedVersion(
            version: OrderingVersion(flags & timestamp != 0 ? .timestamp : .sequence, value), eventID: event,
            deleted: flags & deleted != 0, contactUUID: contact, urns: urns, digest: digest)
    }

    static func decode(_ bytes: [UInt8]) -> AppliedVersion? {
        bytes.withUnsafeBytes { decode($0) }
    }

    /// A value of the versions topic (`AppliedVersion.encoded()`'s JSON) in this encoding;
    /// `false` for a value that does not read as a version (it then means no state, as it
    /// did on the topic).
    static func transcode(_ json: UnsafeRawBufferPointer, into bytes: inout [UInt8]) -> Bool {
        if let fields = CanonicalVersionJSON.fields(json) {
            let start = bytes.count
            write(
                OrderingVersion(fields.kind, fields.value), fields.deleted, fields.eventID, fields.contactUUID,
                into: &bytes)
            if fields.urns != nil {
                bytes[start] |= hasURNs
                appendLength(fields.urnCount, to: &bytes)
                fields.forEachURN { appendText($0, to: &bytes) }
            }
            if let digest = fields.digest { appendDigest(digest.bytes, to: &bytes, flagsAt: start) }
            return true
        }
        guard let version = AppliedVersion(decoding: Array(json)) else { return false }
        encode(version, into: &bytes)
        return true
    }

    private static func appendText(_ utf8: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        appendLength(utf8.count, to: &bytes)
        bytes.append(contentsOf: utf8)
    }

    /// LEB128: seven bits a byte, the high bit set on all but the last.
    private static func appendLength(_ count: Int, to bytes: inout [UInt8]) {
        var length = UInt(count)
        while length >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: length) | 0x80)
            length >>= 7
        }
        bytes.append(UInt8(length))
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        var atEnd: Bool { at == bytes.count }

        mutating func byte() -> UInt8? {
            guard at < bytes.count else { return nil }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func int64() -> Int64? {
            guard bytes.count - at >= 8 else { return nil }
            defer { at += 8 }
            return Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self))
        }

        mutating func take(_ count: Int) -> [UInt8]? {
            guard bytes.count - at >= count else { return nil }
            defer { at += count }
            return Array(bytes[at..<at + count])
        }

        mutating func uuid() -> String? {
            guard bytes.count - at >= 16 else { return nil }
            defer { at += 16 }
            return UUIDBytes.text(UnsafeRawBufferPointer(rebasing: bytes[at..<at + 16]))
        }

        mutating func length() -> Int? {
            var length = 0
            var shift = 0
            while true {
                guard let next = byte(), shift < 35 else { return nil }
                length |= Int(next & 0x7F) << shift
                if next & 0x80 == 0 { break }
                shift += 7
            }
            return length
        }

        mutating func text() -> String? {
            guard let length = length(), bytes.count - at >= length else { return nil }
            defer { at += length }
            return String(validating: UnsafeRawBufferPointer(rebasing: bytes[at..<at + length]), as: UTF8.self)
        }
    }
}
