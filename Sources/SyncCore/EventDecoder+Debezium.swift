import JSON

extension EventDecoder {
    /// Debezium change events (events.md §2), plain or `schema`/`payload`-wrapped.
    func decodeDebezium(_ value: JSON, record: InboundRecord, rule: DecoderConfiguration.TopicRule) throws(Rejection)
        -> ContactChange
    {
        let event = (value["payload"] != nil && value["schema"] != nil) ? value["payload"]! : value
        guard case .object = event else {
            throw Rejection(.malformedJSON, "the Debezium value must be an object (or schema/payload-wrapped)")
        }
        guard let op = event["op"]?.string else {
            throw Rejection(.missingMember, "op (JSON pointer /op or /payload/op) is required: c, r, u or d")
        }
        let isDelete: Bool
        let rowMember: String
        switch op {
        case "c", "r", "u":
            isDelete = false
            rowMember = "after"
        case "d":
            isDelete = true
            rowMember = "before"
        default: throw Rejection(.unknownType, "op = \"\(op)\" is not a Debezium operation (c, r, u or d)")
        }
        guard let row = event[rowMember], case .object = row else {
            throw Rejection(
                .missingMember, "\(rowMember) (JSON pointer /\(rowMember)) must hold the row for op \"\(op)\"")
        }
        let mapping = rule.mapping ?? .debeziumDefault
        let idValue = mapping.id.resolve(in: row) ?? Self.keyID(record.key)
        guard let entityID = idValue?.scalarText else {
            throw Rejection(
                .missingMember, "\(rowMember).id (\(mapping.id.place) in the row, or the record key's id) is required")
        }
        let urn = try extURN(prefix: rule.extPrefix ?? "", id: entityID, place: "\(rowMember) id (\(mapping.id.place))")
        let source = event["source"]
        let lsn = source?["lsn"].flatMap { if case .number(let d) = $0 { Int64(d) } else { nil } }
        let tsMs = event["ts_ms"].flatMap { if case .number(let d) = $0 { Int64(d) } else { nil } }
        guard let version = lsn.map(OrderingVersion.sequence) ?? tsMs.map(OrderingVersion.timestamp) else {
            throw Rejection(.invalidVersion, "source.lsn and ts_ms are both missing: nothing orders this change")
        }
        // Debezium has no event id; the source position and the operation identify a change.
        let eventID = "\(record.topic):\(version):\(op):\(entityID)"
        let trace = record.header("traceparent")
        if isDelete {
            return ContactChange(extURN: urn, version: version, eventID: eventID, traceparent: trace, action: .delete)
        }
        let patch = try patch(from: row, mapping: mapping, base: "after.")
        return ContactChange(
            extURN: urn, version: version, eventID: eventID, traceparent: trace, action: .upsert(patch))
    }

    /// The row of a change event: `after`, or `before` for a delete (`nil` when it has none).
    static func debeziumRow(_ value: JSON) -> JSON? {
        let event = (value["payload"] != nil && value["schema"] != nil) ? value["payload"]! : value
        return event[event["op"]?.string == "d" ? "before" : "after"]
    }

    /// The id in a Debezium key (`{"id": 123}` or `{"schema": …, "payload": {"id": 123}}`).
    static func keyID(_ key: [UInt8]?) -> JSON? {
        guard let key, let json = try? JSON.parse(key) else { return nil }
        return json["payload"]?["id"] ?? json["id"]
    }
}
