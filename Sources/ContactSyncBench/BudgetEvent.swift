/// A canonical event of the budget rows: an update whose contact name carries its version (so
/// the final state shows whether the last one won), or a delete.
struct BudgetEvent: Sendable {
    enum Kind: Sendable { case update, delete }

    let key: String
    let version: Int
    let kind: Kind

    var name: String { BenchEvents.name(key: key, version: version) }

    var json: [UInt8] {
        switch kind {
        case .update:
            BenchEvents.canonical(id: "\(key)-\(version)", key: key, version: version)
        case .delete:
            Array(
                #"{"id": "\#(key)-\#(version)-del", "type": "customer.deleted", "occurred_at": "2026-11-24T10:00:00Z", "version": \#(version), "data": {"id": "\#(key)"}}"#
                    .utf8)
        }
    }

    /// `count` updates over `entities` keys (`cus_0`…), interleaved: every entity's version 1,
    /// then every entity's version 2, and so on (never grouped by key).
    static func interleaved(count: Int, entities: Int, prefix: String = "cus") -> [BudgetEvent] {
        (0..<count).map { n in BudgetEvent(key: "\(prefix)_\(n % entities)", version: n / entities + 1, kind: .update) }
    }

    /// Each key's last event: the state the platform must end in.
    static func last(_ events: [BudgetEvent]) -> [String: BudgetEvent] {
        var last: [String: BudgetEvent] = [:]
        for event in events where event.version >= (last[event.key]?.version ?? 0) { last[event.key] = event }
        return last
    }
}
