import PropertyBased
import Testing

@testable import SyncCore

@Suite struct DecoderPropertyTests {
    let decoder = EventDecoder(
        configuration: try! DecoderConfiguration(mappingYAML: try! exampleText("mappings.yaml"), file: "mappings.yaml"))

    func checkTotal(_ outcome: DecodeOutcome) {
        switch outcome {
        case .change(let change): #expect(!change.entityKey.isEmpty && !change.eventID.isEmpty)
        case .skip(let reason): #expect(reason == .tombstone)
        case .reject(let rejection): #expect(!rejection.message.isEmpty)
        }
    }

    @Test func arbitraryBytesNeverCrashAndAlwaysGetAnOutcome() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...255).array(of: 0...300), Gen.int(in: 0...3)) {
            bytes, topicIndex in
            let topic = ["customers", "crm.public.customers", "crm.lead-webhooks", "leads"][topicIndex]
            checkTotal(decoder.decode(InboundRecord(topic: topic, key: nil, value: bytes.map { UInt8($0) })))
        }
    }

    @Test func mutatedValidEventsNeverCrashAndAlwaysGetAnOutcome() async throws {
        let samples = [
            ("customers", try exampleText("canonical-customer.json")),
            ("crm.public.customers", try exampleText("debezium-customers.json")),
            ("crm.lead-webhooks", try exampleText("crm-lead-webhook.json")),
        ]
        await propertyCheck(
            count: 500, input: Gen.int(in: 0...2), Gen.int(in: 0...100_000).array(of: 1...6), Gen.int(in: 0...255)
        ) { which, positions, byte in
            var bytes = Array(samples[which].1.utf8)
            for position in positions { bytes[position % bytes.count] = UInt8(byte) }
            checkTotal(decoder.decode(InboundRecord(topic: samples[which].0, key: nil, value: bytes)))
        }
    }
}

/// A contact as the platform would hold it, to check that merging equals applying in turn.
struct ModelContact: Equatable {
    var exists = false
    var name: String?
    var phone: String?
    var groups: [String] = []
    var fields: [String: String] = [:]

    mutating func apply(_ action: ContactChange.Action) {
        switch action {
        case .delete: self = ModelContact()
        case .recreate(let patch):
            self = ModelContact()
            apply(.upsert(patch))
        case .upsert(let patch):
            exists = true
            if let name = patch.name { self.name = if case .set(let v) = name { v } else { nil } }
            if let phone = patch.phone { self.phone = if case .set(let v) = phone { v.description } else { nil } }
            if let groups = patch.groups { self.groups = if case .set(let v) = groups { v } else { [] } }
            for (label, update) in patch.fields { fields[label] = if case .set(let v) = update { v.text } else { nil } }
        }
    }
}

@Suite struct MergeTests {
    /// Event `n` of a generated sequence: a delete, or an upsert touching some members.
    static func change(_ n: Int, index: Int) -> ContactChange {
        let urn = try! URN(parsing: "ext:m-1")
        if n % 5 == 0 {
            return ContactChange(extURN: urn, version: .sequence(Int64(index)), eventID: "e\(index)", action: .delete)
        }
        var patch = ContactPatch()
        if n % 2 == 0 { patch.name = n % 3 == 0 ? .clear : .set("name\(n)") }
        if n % 3 == 1 { patch.phone = .set(try! URN(parsing: "tel:+55829933\(1000 + n % 9000)")) }
        if n % 4 == 1 { patch.groups = n % 8 == 1 ? .clear : .set(["g\(n % 3)"]) }
        if n % 7 < 3 { patch.fields["f\(n % 2)"] = n % 7 == 0 ? .clear : .set(.number("\(n)")) }
        return ContactChange(
            extURN: urn, version: .sequence(Int64(index)), eventID: "e\(index)", action: .upsert(patch))
    }

    @Test func mergingEqualsApplyingOneAfterAnother() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...1000).array(of: 1...12), Gen.int(in: 0...1)) {
            ns, startsWithContact in
            let changes = ns.enumerated().map { Self.change($0.element, index: $0.offset) }
            var start = ModelContact()
            if startsWithContact == 1 {
                start.apply(
                    .upsert(ContactPatch(name: .set("before"), groups: .set(["old"]), fields: ["f1": .set(.text("x"))]))
                )
            }
            var oneByOne = start
            for change in changes { oneByOne.apply(change.action) }
            var merged = start
            let folded = ContactChange.merge(changes)
            merged.apply(folded.action)
            #expect(merged == oneByOne)
            #expect(folded.eventIDs == changes.map(\.eventID))
            #expect(folded.version == .sequence(Int64(changes.count - 1)))
        }
    }

    @Test func deleteThenUpsertRecreates() {
        let urn = try! URN(parsing: "ext:r")
        let merged = ContactChange.merge([
            ContactChange(extURN: urn, version: .sequence(1), eventID: "a", action: .delete),
            ContactChange(
                extURN: urn, version: .sequence(2), eventID: "b", action: .upsert(ContactPatch(name: .set("N")))),
        ])
        #expect(merged.action == .recreate(ContactPatch(name: .set("N"))))
        #expect(merged.eventID == "b")
    }
}
