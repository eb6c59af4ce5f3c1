import JSON

extension EventDecoder {
    /// Any other JSON, through the topic's mapping (events.md §3).
    func decodeMapped(_ document: JSON, record: InboundRecord, rule: DecoderConfiguration.TopicRule) throws(Rejection)
        -> ContactChange
    {
        guard let mapping = rule.mapping else {
            throw Rejection(.unmappedTopic, "topic \(record.topic) is 'mapped' but its rule has no mapping")
        }
        var isDelete = false
        if let action = mapping.action {
            guard let chooser = document.at(pointer: action.pointer)?.scalarText else {
                throw Rejection(.missingMember, "the action member (JSON pointer \(action.pointer)) is missing")
            }
            if action.delete.contains(chooser) {
                isDelete = true
            } else if !action.upsert.contains(chooser) {
                throw Rejection(
                    .unknownType,
                    "the action member (JSON pointer \(action.pointer)) = \"\(chooser)\" is neither an upsert value (\(action.upsert.sorted().joined(separator: ", "))) nor a delete value (\(action.delete.sorted().joined(separator: ", ")))"
                )
            }
        }
        guard let id = mapping.id.resolve(in: document)?.scalarText else {
            throw Rejection(.missingMember, "id (\(mapping.id.place)) is required: it becomes the contact's ext: URN")
        }
        let urn = try extURN(prefix: rule.extPrefix ?? "", id: id, place: "id (\(mapping.id.place))")
        var version = OrderingVersion(mapping.versionKind, record.timestampMs ?? record.offset)
        if let source = mapping.version {
            guard let raw = source.resolve(in: document), !raw.isNull else {
                throw Rejection(.invalidVersion, "version (\(source.place)) is missing")
            }
            switch (mapping.versionKind, raw) {
            case (.sequence, .number(let digits)) where Int64(digits) != nil: version = .sequence(Int64(digits)!)
            case (.sequence, .string(let digits)) where Int64(digits) != nil: version = .sequence(Int64(digits)!)
            case (.timestamp, .string(let text)) where Timestamp.milliseconds(fromISO8601: text) != nil:
                version = .timestamp(Timestamp.milliseconds(fromISO8601: text)!)
            case (.timestamp, .number(let digits)) where Int64(digits) != nil: version = .timestamp(Int64(digits)!)
            default:
                throw Rejection(
                    .invalidVersion,
                    "version (\(source.place)) = \(raw.preview) is not a \(mapping.versionKind == .sequence ? "whole number" : "RFC 3339 time or epoch milliseconds")"
                )
            }
        } else if record.timestampMs == nil {
            version = .sequence(record.offset)
        }
        let eventID =
            mapping.eventID?.resolve(in: document)?.scalarText ?? "\(record.topic):\(record.partition):\(record.offset)"
        let trace = record.header("traceparent")
        if isDelete {
            return ContactChange(extURN: urn, version: version, eventID: eventID, traceparent: trace, action: .delete)
        }
        let patch = try patch(from: document, mapping: mapping, base: "")
        return ContactChange(
            extURN: urn, version: version, eventID: eventID, traceparent: trace, action: .upsert(patch))
    }
}
