/// A canonical event (docs/events.md) of `entity`, as JSON text keyed by the entity: `data`
/// holds members after the entity's id, e.g. `#""name": "Ana""#`.
public func event(_ type: String, id: String, entity: String, version: Int, data: String = "") -> (
    key: String, json: String?
) {
    let extra = data.isEmpty ? "" : ", " + data
    return (
        entity,
        #"{"id": "\#(id)", "type": "\#(type)", "occurred_at": "2026-11-24T10:15:00Z", "version": \#(version), "data": {"id": "\#(entity)"\#(extra)}}"#
    )
}
