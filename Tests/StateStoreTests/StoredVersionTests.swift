import Foundation
import PropertyBased
import SyncCore
import Testing

@testable import StateStore

/// The store's binary encoding of a version, and the canonical-JSON reader that feeds it on a
/// restore: both must give back exactly what the versions topic said.
@Suite struct StoredVersionTests {
    /// Text that JSON must escape (`"`, `\`, a control), non-ASCII, and the UUID alphabet.
    static let alphabet: [Character] = Array("0123456789abcdefABCDEF-_:\"\\\u{1}é😀 x")

    static func text(_ picks: [Int]) -> String { String(picks.map { alphabet[$0 % alphabet.count] }) }

    /// A canonical UUID from picks, in lowercase (taken as bytes) or uppercase (kept as text).
    static func uuid(_ picks: [Int], uppercase: Bool) -> String {
        let hex = Array(uppercase ? "0123456789ABCDEF" : "0123456789abcdef")
        let digits = (0..<32).map { hex[picks.isEmpty ? $0 % 16 : picks[$0 % picks.count] &* ($0 + 1) % 16] }
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(digits[$0]) }
        return groups.joined(separator: "-")
    }

    /// Ids as producers send them: free text, canonical UUIDs, uppercase UUIDs, none (contact).
    static func id(_ mode: Int, _ picks: [Int]) -> String? {
        switch mode {
        case 0: text(picks)
        case 1: uuid(picks, uppercase: false)
        case 2: uuid(picks, uppercase: true)
        default: nil
        }
    }

    static func version(_ value: Int, _ flags: Int, _ eventPicks: [Int], _ contactPicks: [Int]) -> AppliedVersion {
        AppliedVersion(
            version: OrderingVersion(flags & 1 == 0 ? .sequence : .timestamp, Int64(value)),
            eventID: id((flags >> 1) % 3, eventPicks) ?? "", deleted: flags & 8 != 0,
            contactUUID: id((flags >> 4) % 4, contactPicks), urns: urns(flags >> 6, contactPicks),
            digest: flags & 256 == 0 ? nil : digest(eventPicks))
    }

    /// 16 bytes from `picks` (any byte values, zeros included).
    static func digest(_ picks: [Int]) -> ImageDigest {
        ImageDigest(
            bytes: (0..<16).map { UInt8(truncatingIfNeeded: picks.isEmpty ? $0 : picks[$0 % picks.count] &* 37 &+ $0) })!
    }

    /// None, an empty list, one URN, or several (free text from `picks`).
    static func urns(_ mode: Int, _ picks: [Int]) -> [String]? {
        switch mode % 4 {
        case 0: nil
        case 1: []
        case 2: ["tel:+" + text(picks)]
        default: ["ext:" + text(picks), "mailto:" + text(picks.reversed()), "tel:+5511"]
        }
    }

    static let versions = (
        Gen.int(in: Int.min...Int.max), Gen.int(in: 0...511), Gen.int(in: 0...100).array(of: 0...40),
        Gen.int(in: 0...100).array(of: 0...40)
    )

    @Test func encodingRoundTrips() async {
        await propertyCheck(count: 2000, input: Self.versions.0, Self.versions.1, Self.versions.2, Self.versions.3) {
            value, flags, event, contact in
            let version = Self.version(value, flags, event, contact)
            #expect(StoredVersion.decode(StoredVersion.encoded(version)) == version, "\(version)")
        }
    }

    @Test func transcodingTheTopicsJSONGivesTheVersionBack() async {
        await propertyCheck(count: 2000, input: Self.versions.0, Self.versions.1, Self.versions.2, Self.versions.3) {
            value, flags, event, contact in
            let version = Self.version(value, flags, event, contact)
            var stored: [UInt8] = []
            let json = version.encoded()
            #expect(json.withUnsafeBytes { StoredVersion.transcode($0, into: &stored) })
            #expect(StoredVersion.decode(stored) == version, "\(version)")
            // The fast reader takes every value the worker writes whose strings are printable ASCII.
            let plain = (version.eventID + (version.contactUUID ?? "") + (version.urns ?? []).joined()).unicodeScalars
                .allSatisfy {
                    $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\"
                }
            let fast = json.withUnsafeBytes { CanonicalVersionJSON.read($0) }
            #expect(plain ? fast == version : fast == nil, "\(version)")
        }
    }

    @Test func theFastReaderNeverReadsAValueDifferentlyFromTheParser() async {
        let bytes = Array("{}\":,-0123456789.eE tfu\\a".utf8)
        await propertyCheck(
            count: 4000, input: Self.versions.0, Self.versions.1, Gen.int(in: 0...200), Gen.int(in: 0...300)
        ) { value, flags, position, pick in
            var json = Self.version(value, flags, [1, 2, 3], [4, 5]).encoded()
            let at = position % (json.count + 1)
            switch pick % 3 {
            case 0: json.insert(bytes[pick % bytes.count], at: at)
            case 1 where at < json.count: json.remove(at: at)
            default: if at < json.count { json[at] = bytes[pick % bytes.count] }
            }
            let fast = json.withUnsafeBytes { CanonicalVersionJSON.read($0) }
            #expect(fast == nil || fast == AppliedVersion(decoding: json), "\(String(decoding: json, as: UTF8.self))")
        }
    }

    @Test func bytesItDidNotWriteReadAsNoVersion() {
        let version = AppliedVersion(
            version: .sequence(42), eventID: "evt-1", deleted: false, contactUUID: "contact-not-a-uuid")
        let stored = StoredVersion.encoded(version)
        for length in 0..<stored.count { #expect(StoredVersion.decode(Array(stored.prefix(length))) == nil) }
        #expect(StoredVersion.decode(stored + [0]) == nil)
        #expect(StoredVersion.decode([0xFF] + stored.dropFirst()) == nil)
        #expect(StoredVersion.decode(version.encoded()) == nil)  // the topic's JSON is not the store's encoding
        var unreadable: [UInt8] = []
        #expect(!Array("{\"k\":\"sequence\"}".utf8).withUnsafeBytes { StoredVersion.transcode($0, into: &unreadable) })
    }

    /// A partition's next owner writes by UUID with the URN list the last write left.
    @Test func urnsTravelThroughTheTopicAndTheStore() throws {
        let version = AppliedVersion(
            version: .sequence(7), eventID: "evt-7", deleted: false,
            contactUUID: "5f1c6a0e-8d2b-4c7e-9a31-100000000012",
            urns: ["ext:cus_7", "tel:+5511999990007", "mailto:ana@example.com"])
        let json = version.encoded()
        #expect(
            String(decoding: json, as: UTF8.self).hasSuffix(
                #","n":["ext:cus_7","tel:+5511999990007","mailto:ana@example.com"]}"#))
        var stored: [UInt8] = []
        #expect(json.withUnsafeBytes { StoredVersion.transcode($0, into: &stored) })
        #expect(StoredVersion.decode(stored) == version)
        #expect(json.withUnsafeBytes { CanonicalVersionJSON.read($0) } == version, "the fast reader takes it")
        #expect(AppliedVersion(decoding: json) == version)
    }

    /// A newer change with the image the last write sent makes no call, across restarts and owners.
    @Test func theImageDigestTravelsThroughTheTopicAndTheStore() throws {
        let digest = Self.digest([0, 255, 7])
        let version = AppliedVersion(
            version: .sequence(8), eventID: "evt-8", deleted: false,
            contactUUID: "5f1c6a0e-8d2b-4c7e-9a31-100000000012",
            urns: ["ext:cus_8"], digest: digest)
        let json = version.encoded()
        #expect(String(decoding: json, as: UTF8.self).hasSuffix(#","n":["ext:cus_8"],"h":"\#(digest.hex)"}"#))
        var stored: [UInt8] = []
        #expect(json.withUnsafeBytes { StoredVersion.transcode($0, into: &stored) })
        #expect(StoredVersion.decode(stored) == version)
        #expect(StoredVersion.encoded(version).count == 1 + 8 + 1 + 5 + 16 + 1 + 10 + 16)
        #expect(json.withUnsafeBytes { CanonicalVersionJSON.read($0) } == version, "the fast reader takes it")
        #expect(AppliedVersion(decoding: json) == version)
        // A digest that is not 32 lowercase hex digits is no digest (the rest of the version stands).
        let upper = Array(
            String(decoding: json, as: UTF8.self).replacingOccurrences(of: digest.hex, with: digest.hex.uppercased())
                .utf8)
        #expect(upper.withUnsafeBytes { CanonicalVersionJSON.read($0) } == nil)
        #expect(AppliedVersion(decoding: upper)?.digest == nil)
        #expect(AppliedVersion(decoding: upper)?.eventID == "evt-8")
    }

    @Test func aTypicalVersionTakesUnderFiftyBytes() {
        let version = AppliedVersion(
            version: .sequence(1_700_000_000_123), eventID: "3f2b8c4e-9d1a-4e7b-8c2f-5a6b7c8d9e0f", deleted: false,
            contactUUID: "5f1c6a0e-8d2b-4c7e-9a31-100000000012")
        #expect(version.encoded().count > 110)
        #expect(StoredVersion.encoded(version).count == 1 + 8 + 16 + 16)
    }
}

extension CanonicalVersionJSON {
    /// The fast reader's fields as a version, to hold against the general parser.
    static func read(_ json: UnsafeRawBufferPointer) -> AppliedVersion? {
        guard let fields = fields(json) else { return nil }
        return AppliedVersion(
            version: OrderingVersion(fields.kind, fields.value),
            eventID: String(decoding: fields.eventID, as: UTF8.self),
            deleted: fields.deleted, contactUUID: fields.contactUUID.map { String(decoding: $0, as: UTF8.self) },
            urns: fields.urns.map { _ in
                var urns: [String] = []
                fields.forEachURN { urns.append(String(decoding: $0, as: UTF8.self)) }
                return urns
            }, digest: fields.digest)
    }
}
