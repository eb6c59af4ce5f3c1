import Foundation
import JSON

/// Where the members the canonical envelope's decoding reads lie in a record's bytes (the first
/// of each name, as `JSON`'s subscript finds it).
struct CanonicalSpans {
    var id: Range<Int>?
    var type: Range<Int>?
    var occurredAt: Range<Int>?
    var version: Range<Int>?
    var data: Range<Int>?
    /// `data` is an object, and the members below are its own.
    var dataIsObject = false
    var dataID: Range<Int>?
    var name: Range<Int>?
    var language: Range<Int>?
    var phone: Range<Int>?
    var whatsapp: Range<Int>?
    var email: Range<Int>?
    var groups: Range<Int>?
    var fields: Range<Int>?
    /// Members of `fields`, when it is an object.
    var fieldCount = 0
    var status: Range<Int>?
}

extension EventDecoder {
    /// `decodeCanonical(JSON.parse(bytes), …)` read straight from the bytes, for the events it
    /// takes: a document that `JSONSpanScanner` takes whole and that decodes to a change. `nil`
    /// for anything else (not JSON, escapes in a string, a rejection of any kind): the general
    /// path then decides, and words any rejection, as it always has. Every event of a replay
    /// comes through here, and the tree the general path builds and frees cost a quarter of it.
    func decodeCanonicalFast(_ bytes: [UInt8], record: InboundRecord, rule: DecoderConfiguration.TopicRule)
        -> ContactChange?
    {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONSpanScanner(buffer)
            var spans = CanonicalSpans()
            guard Self.scanEnvelope(&scanner, into: &spans) else { return nil }
            return try? canonicalChangeFromSpans(scanner, spans, record: record, rule: rule)
        }
    }

    /// One pass over the document: checks all of it, and records the spans the decoding reads.
    static func scanEnvelope(_ scanner: inout JSONSpanScanner, into spans: inout CanonicalSpans) -> Bool {
        guard scanner.openObject(depth: 0) else { return false }
        var count = 0
        while let name = scanner.nextMember(&count) {
            let span: Range<Int>?
            switch name.count {
            case 2 where scanner.bytes(name, equal: "id"): span = scanner.skipValue(depth: 1, first: &spans.id)
            case 4 where scanner.bytes(name, equal: "type"): span = scanner.skipValue(depth: 1, first: &spans.type)
            case 4 where spans.data == nil && scanner.bytes(name, equal: "data"):
                let start = scanner.index
                if scanner.openObject(depth: 1) {
                    spans.dataIsObject = true
                    span = scanData(&scanner, into: &spans) ? start..<scanner.index : nil
                } else {
                    span = scanner.skipValue(depth: 1)
                }
                spans.data = span
            case 7 where scanner.bytes(name, equal: "version"):
                span = scanner.skipValue(depth: 1, first: &spans.version)
            case 11 where scanner.bytes(name, equal: "occurred_at"):
                span = scanner.skipValue(depth: 1, first: &spans.occurredAt)
            default: span = scanner.skipValue(depth: 1)
            }
            guard span != nil else { return false }
        }
        return scanner.finish()
    }

    /// The members of `data` (an object at depth 1, the scanner inside it), then past its `}`.
    private static func scanData(_ scanner: inout JSONSpanScanner, into spans: inout CanonicalSpans) -> Bool {
        var count = 0
        while let name = scanner.nextMember(&count) {
            let span: Range<Int>?
            switch name.count {
            case 2 where scanner.bytes(name, equal: "id"): span = scanner.skipValue(depth: 2, first: &spans.dataID)
            case 4 where scanner.bytes(name, equal: "name"): span = scanner.skipValue(depth: 2, first: &spans.name)
            case 5 where scanner.bytes(name, equal: "phone"): span = scanner.skipValue(depth: 2, first: &spans.phone)
            case 5 where scanner.bytes(name, equal: "email"): span = scanner.skipValue(depth: 2, first: &spans.email)
            case 6 where scanner.bytes(name, equal: "groups"): span = scanner.skipValue(depth: 2, first: &spans.groups)
            case 6 where spans.fields == nil && scanner.bytes(name, equal: "fields"):
                let start = scanner.index
                if scanner.openObject(depth: 2) {
                    var fieldCount = 0
                    while scanner.nextMember(&fieldCount) != nil {
                        guard scanner.skipValue(depth: 3) != nil else { return false }
                    }
                    span = scanner.failed ? nil : start..<scanner.index
                    spans.fieldCount = fieldCount
                } else {
                    span = scanner.skipValue(depth: 2)
                }
                spans.fields = span
            case 6 where scanner.bytes(name, equal: "status"): span = scanner.skipValue(depth: 2, first: &spans.status)
            case 8 where scanner.bytes(name, equal: "language"):
                span = scanner.skipValue(depth: 2, first: &spans.language)
            case 8 where scanner.bytes(name, equal: "whatsapp"):
                span = scanner.skipValue(depth: 2, first: &spans.whatsapp)
            default: span = scanner.skipValue(depth: 2)
            }
            guard span != nil else { return false }
        }
        return !scanner.failed
    }

    /// `decodeCanonical`'s head read from the spans, then the shared `canonicalChange`; throws
    /// (and the general path takes over) at every point where `decodeCanonical` rejects, and
    /// wherever the spans say less than the tree.
    private func canonicalChangeFromSpans(
        _ scanner: JSONSpanScanner, _ spans: CanonicalSpans, record: InboundRecord,
        rule: DecoderConfiguration.TopicRule
    ) throws(Rejection) -> ContactChange {
        func giveUp() -> Rejection { Rejection(.malformedJSON, "the fast path does not take this event") }
        guard let idSpan = spans.id, let id = scanner.scalarText(idSpan), !id.isEmpty,
            id.utf8.count <= Self.maxEventIDBytes
        else { throw giveUp() }
        guard let typeSpan = spans.type, scanner.isString(typeSpan),
            let (family, verb) = Self.eventType(scanner.contents(ofString: typeSpan))
        else { throw giveUp() }
        guard let occurredSpan = spans.occurredAt, scanner.isString(occurredSpan),
            let occurredMs = Timestamp.milliseconds(iso8601Bytes: scanner.contents(ofString: occurredSpan))
        else { throw giveUp() }
        var version = OrderingVersion.timestamp(occurredMs)
        if let span = spans.version, !scanner.isNull(span) {
            guard scanner.isNumber(span), let digits = scanner.scalarText(span), let number = Int64(digits) else {
                throw giveUp()
            }
            version = .sequence(number)
        }
        guard spans.dataIsObject, let dataIDSpan = spans.dataID, let entityID = scanner.scalarText(dataIDSpan) else {
            throw giveUp()
        }
        return try canonicalChange(
            CanonicalHead(id: id, family: family, verb: verb, version: version, entityID: entityID),
            record: record, rule: rule,
            member: { member in
                let span: Range<Int>? =
                    switch member {
                    case .name: spans.name
                    case .language: spans.language
                    case .phone: spans.phone
                    case .whatsapp: spans.whatsapp
                    case .email: spans.email
                    case .groups: spans.groups
                    case .status: spans.status
                    }
                return span.map { scanner.value($0) }
            },
            fields: { builder throws(Rejection) in
                guard let s = spans.fields, !scanner.isNull(s) else { return }
                guard scanner.isObject(s) else { throw giveUp() }
                // As `PatchBuilder.fields` does, member by member in document order, without the tree.
                builder.patch.fields.reserveCapacity(builder.patch.fields.count + spans.fieldCount)
                var fields = JSONSpanScanner(scanner.bytes, at: s.lowerBound)
                guard fields.openObject(depth: 0) else { throw giveUp() }
                var count = 0
                while let name = fields.nextMember(&count) {
                    guard let valueSpan = fields.skipValue(depth: 1) else { throw giveUp() }
                    let label = fields.name(name)
                    try builder.field(label, fields.value(valueSpan), at: "data.fields.\(label)")
                }
                guard !fields.failed else { throw giveUp() }
            })
    }

    /// `eventType(_:)` of a type's bytes. Only the known types' own bytes match: text that
    /// `==` might also equate with one (non-ASCII, canonically equivalent) goes to the general path.
    static func eventType(_ bytes: UnsafeBufferPointer<UInt8>) -> (family: String, verb: String)? {
        guard let start = bytes.baseAddress else { return nil }
        for (known, family, verb) in knownTypeBytes
        where known.utf8CodeUnitCount == bytes.count && memcmp(known.utf8Start, start, bytes.count) == 0 {
            return (family, verb)
        }
        return nil
    }

    /// `knownTypes` and what `eventType(_:)` makes of them, as bytes to compare with.
    private static let knownTypeBytes: [(StaticString, String, String)] = [
        ("customer.created", "customer", "created"), ("customer.updated", "customer", "updated"),
        ("customer.deleted", "customer", "deleted"), ("lead.created", "lead", "created"),
        ("lead.updated", "lead", "updated"), ("lead.status_changed", "lead", "status_changed"),
        ("lead.deleted", "lead", "deleted"),
    ]
}

extension JSONSpanScanner {
    /// `skipValue(depth:)`, its span also put in `slot` unless a member of the same name came
    /// first (the decoding reads the first of each name, as `JSON`'s subscript finds it).
    fileprivate mutating func skipValue(depth: Int, first slot: inout Range<Int>?) -> Range<Int>? {
        let span = skipValue(depth: depth)
        if slot == nil { slot = span }
        return span
    }
}
