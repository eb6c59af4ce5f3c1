import PropertyBased
import Testing

@testable import SyncCore

@Suite struct EngineVersionGuardTests {
    static let seq = OrderingVersion.sequence
    static let ts = OrderingVersion.timestamp

    static func last(_ version: OrderingVersion, _ id: String = "e-last", deleted: Bool = false) -> AppliedVersion {
        AppliedVersion(version: version, eventID: id, deleted: deleted, contactUUID: "uuid-1")
    }

    @Test(
        arguments: [
            // (incoming version, incoming id, last applied, expected)
            (seq(5), "e-new", nil, VersionGuard.Decision.apply),
            (seq(5), "e-last", last(seq(5)), .duplicate),
            (seq(9), "e-last", last(seq(5)), .duplicate),  // same id wins over the version
            (seq(4), "e-new", last(seq(5)), .stale),
            (seq(5), "e-new", last(seq(5)), .apply),  // equal version, other id: two events at once
            (seq(6), "e-new", last(seq(5)), .apply),
            (ts(1_000), "e-new", last(ts(1_001)), .stale),
            (ts(1_001), "e-new", last(ts(1_001)), .apply),
            (ts(1_002), "e-new", last(ts(1_001)), .apply),
            // mixed kinds: a sequence ranks above every timestamp
            (ts(9_999_999_999_999), "e-new", last(seq(1)), .stale),
            (seq(1), "e-new", last(ts(9_999_999_999_999)), .apply),
            (seq(-5), "e-new", last(ts(0)), .apply),
            (ts(0), "e-last", last(seq(3)), .duplicate),
            // deleted entity: an older upsert must not resurrect it
            (seq(2), "e-new", last(seq(3), deleted: true), .stale),
            (ts(5), "e-new", last(seq(3), deleted: true), .stale),
        ] as [(OrderingVersion, String, AppliedVersion?, VersionGuard.Decision)])
    func decides(_ version: OrderingVersion, _ id: String, _ last: AppliedVersion?, _ expected: VersionGuard.Decision) {
        #expect(VersionGuard.decide(version: version, eventID: id, last: last) == expected)
    }

    static let versionGen = zip(Gen.bool, Gen<Int64>.value(in: -3...3)).map { isSequence, value in
        OrderingVersion(isSequence ? .sequence : .timestamp, value)
    }

    @Test func isOlderIsAStrictTotalOrder() async {
        await propertyCheck(count: 500, input: Self.versionGen, Self.versionGen, Self.versionGen) { a, b, c in
            #expect(!VersionGuard.isOlder(a, than: a))
            #expect(!(VersionGuard.isOlder(a, than: b) && VersionGuard.isOlder(b, than: a)))
            if a != b { #expect(VersionGuard.isOlder(a, than: b) || VersionGuard.isOlder(b, than: a)) }
            if VersionGuard.isOlder(a, than: b) && VersionGuard.isOlder(b, than: c) {
                #expect(VersionGuard.isOlder(a, than: c))
            }
            #expect(VersionGuard.newer(a, b) == VersionGuard.newer(b, a) || a == b)
            #expect(
                !VersionGuard.isOlder(VersionGuard.newer(a, b), than: a)
                    && !VersionGuard.isOlder(VersionGuard.newer(a, b), than: b))
        }
    }

    /// Any arrival order of any events (with redeliveries): exactly the events that are newer than
    /// everything applied before them apply, never one twice, and the last applied is the newest.
    @Test func anyArrivalOrderEndsOnTheNewestAndAppliesNothingTwice() async {
        let eventGen = zip(Self.versionGen, Gen<Int>.value(in: 0...5)).array(of: 1...30)
        await propertyCheck(count: 400, input: eventGen) { events in
            var last: AppliedVersion?
            var appliedIDs: [String] = []
            for (version, n) in events {
                let id = "e\(n)-\(version)"
                let decision = VersionGuard.decide(version: version, eventID: id, last: last)
                let expected: VersionGuard.Decision =
                    if let last, last.eventID == id {
                        .duplicate
                    } else if let last, VersionGuard.isOlder(version, than: last.version) { .stale } else { .apply }
                #expect(decision == expected)
                if decision == .apply {
                    last = AppliedVersion(version: version, eventID: id, deleted: false, contactUUID: nil)
                    appliedIDs.append(id)
                }
            }
            let newest = events.map(\.0).reduce(events[0].0) { VersionGuard.newer($0, $1) }
            #expect(last?.version == newest)
            for (i, id) in appliedIDs.enumerated() where i > 0 { #expect(id != appliedIDs[i - 1]) }
        }
    }

    @Test func appliedVersionRoundTripsThroughTheVersionsTopic() async {
        let text = Gen<Int>.value(in: 0...(Array("aZ09\"\\\u{01}\u{1f}é🙂 -:/").count - 1)).array(of: 0...12).map {
            String($0.map { Array("aZ09\"\\\u{01}\u{1f}é🙂 -:/")[$0] })
        }
        await propertyCheck(count: 300, input: Self.versionGen, text, Gen.bool, Gen.bool) {
            version, id, deleted, hasUUID in
            let applied = AppliedVersion(
                version: version, eventID: id, deleted: deleted, contactUUID: hasUUID ? "u-\(id)" : nil)
            #expect(AppliedVersion(decoding: applied.encoded()) == applied)
        }
    }

    @Test(arguments: [
        "", "{}", #"{"k":"sequence","v":"1","id":"x","d":false}"#, #"{"k":"lamport","v":1,"id":"x","d":false}"#,
        #"{"k":"sequence","v":1,"id":"x"}"#, #"{"k":"sequence","v":1.5,"id":"x","d":false}"#, "not json",
    ])
    func unreadableVersionsAreIgnored(_ value: String) {
        #expect(AppliedVersion(decoding: Array(value.utf8)) == nil)
    }

    @Test func readsTheDocumentedEncoding() {
        let applied = AppliedVersion(
            decoding: Array(#"{"k":"timestamp","v":1764000000000,"id":"evt-1","d":true,"u":"c-9"}"#.utf8))
        #expect(
            applied
                == AppliedVersion(
                    version: .timestamp(1_764_000_000_000), eventID: "evt-1", deleted: true, contactUUID: "c-9"))
    }
}
