import Foundation
import PlatformSandbox

/// The events a scenario sends and what the platform must hold afterwards.
///
/// Besides each key's events in order, the traffic carries what a broken version guard would
/// apply: newer-before-older pairs, exact redeliveries after newer events, old events under new
/// ids, and a replay of the whole first round at the end. Every event sets every member, so the
/// final contact is exactly the newest event's, and any stale event that gets applied shows.
struct Traffic {
    struct Record {
        let key: String
        let value: [UInt8]?
        /// Bad input: it must end in the dead-letter topic with a reason.
        let isBad: Bool
        /// What the version guard must do with it (for the printed mix; the judge needs only finals).
        var role: Role = .inOrder
    }

    enum Role: Hashable {
        case inOrder, outOfOrder, redelivery, staleNewID, replay, bad
    }

    /// Every member an event sets, as the platform shows it.
    struct Contact: Equatable, CustomStringConvertible {
        var name: String
        var language: String
        var urns: Set<String>
        var groups: Set<String>
        var fields: [String: String]

        var description: String {
            "\(name) \(language) \(urns.sorted()) \(groups.sorted()) \(fields.sorted { $0.key < $1.key })"
        }
    }

    /// What one entity's contact must look like at the end: absent, or its newest event's.
    enum Final: Equatable {
        case absent
        case present(Contact)
    }

    var records: [Record] = []
    var finals: [String: Final] = [:]

    /// `entities` keys, `versions` events each, in rounds. Every 7th entity ends deleted; every
    /// 7th from the fourth is deleted in the last-but-one round and created again in the last.
    /// Every 5th from the second gets its last two versions swapped; every 5th from the third gets
    /// exact redeliveries of its last two events at the end; every 5th from the fourth an old
    /// version under a new id; then round 1 is replayed for every key, same ids, same bytes.
    /// Entities are numbered from `first` (their phones and emails follow their number, so two
    /// traffics of one stage number theirs apart).
    static func good(entities: Int, versions: Int, prefix: String = "k", first: Int = 0) -> Traffic {
        var traffic = Traffic()
        var rounds: [[Record]] = Array(repeating: [], count: versions)
        var sent: [String: [Int: [UInt8]]] = [:]
        for n in first..<(first + entities) {
            let key = "\(prefix)\(n)"
            for version in 1...versions {
                let deletedNow =
                    (n % 7 == 0 && version == versions) || (n % 7 == 3 && version == versions - 1 && versions > 1)
                let json: String
                if deletedNow {
                    json = event(
                        type: "customer.deleted", id: "\(key)-v\(version)", key: key, version: version, data: "")
                    traffic.finals[key] = .absent
                } else {
                    let type =
                        version == 1 || (n % 7 == 3 && version == versions) ? "customer.created" : "customer.updated"
                    json = event(
                        type: type, id: "\(key)-v\(version)", key: key, version: version,
                        data: members(n, key: key, version: version))
                    traffic.finals[key] = .present(contact(n, key: key, version: version))
                }
                sent[key, default: [:]][version] = Array(json.utf8)
                rounds[version - 1].append(Record(key: key, value: Array(json.utf8), isBad: false))
            }
            if n % 5 == 1 && versions >= 2 {  // the newest arrives first; the older one after it is stale
                let older = rounds[versions - 2].removeLast()
                let newer = rounds[versions - 1].removeLast()
                rounds[versions - 2].append(newer)
                rounds[versions - 1].append(Record(key: older.key, value: older.value, isBad: false, role: .outOfOrder))
            }
        }
        traffic.records = rounds.flatMap { $0 }
        var tail: [Record] = []
        for n in first..<(first + entities) {
            let key = "\(prefix)\(n)"
            if n % 5 == 2 {
                for version in Swift.max(1, versions - 1)...versions {
                    tail.append(Record(key: key, value: sent[key]![version], isBad: false, role: .redelivery))
                }
            }
            if n % 5 == 3 {
                let json = event(
                    type: "customer.updated", id: "\(key)-old", key: key, version: 0,
                    data: #", "name": "\#(key) stale", "fields": {"round": 0, "tier": "stale"}"#)
                tail.append(Record(key: key, value: Array(json.utf8), isBad: false, role: .staleNewID))
            }
        }
        traffic.records += tail
        traffic.records += (first..<(first + entities)).map { n in
            let key = "\(prefix)\(n)"
            return Record(key: key, value: sent[key]![1], isBad: false, role: .replay)
        }
        return traffic
    }

    static let languages = ["por", "eng", "spa"]

    static func phone(_ n: Int, _ version: Int) -> String { "+55829" + String(format: "%08d", n * 10 + version) }

    static func members(_ n: Int, key: String, version: Int) -> String {
        #", "name": "\#(key) v\#(version)", "language": "\#(languages[version % 3])", "phone": "\#(phone(n, version))", "#
            + #""email": "\#(key).v\#(version)@example.com", "groups": ["Customers", "Cohort \#(version % 3)"], "#
            + #""fields": {"round": \#(version), "tier": "t\#(version)"}"#
    }

    static func contact(_ n: Int, key: String, version: Int) -> Contact {
        Contact(
            name: "\(key) v\(version)", language: languages[version % 3],
            urns: ["ext:\(key)", "tel:\(phone(n, version))", "mailto:\(key).v\(version)@example.com"],
            groups: ["Customers", "Cohort \(version % 3)"], fields: ["round": "\(version)", "tier": "t\(version)"])
    }

    static func event(type: String, id: String, key: String, version: Int, data: String) -> String {
        #"{"id": "\#(id)", "type": "\#(type)", "occurred_at": "2026-11-25T10:00:00Z", "version": \#(version), "data": {"id": "\#(key)"\#(data)}}"#
    }

    /// Mixes bad records in at random places: the order of each key's good events is kept.
    mutating func mix(_ bad: [Record], using generator: inout some RandomNumberGenerator) {
        for record in bad {
            records.insert(record, at: Int.random(in: 0...records.count, using: &generator))
        }
    }

    var badCount: Int { records.filter(\.isBad).count }

    /// The traffic's old events once more, as a producer replaying its history long after the
    /// worker applied them sends them: the first version of every key (same ids and bytes), the
    /// older halves of the out-of-order pairs and the old versions under new ids, none followed
    /// by anything newer. The guard must skip them all; a guard that lost its state applies them
    /// and leaves old contacts, which the judge sees (the finals do not change). A whole history
    /// would not do: in order, its newest events would put every contact right again.
    var oldEvents: [Record] {
        records.filter { [.outOfOrder, .staleNewID, .replay].contains($0.role) }
            .map { Record(key: $0.key, value: $0.value, isBad: false, role: .replay) }
    }

    /// How many records of each role: printed so that a run shows what it threw at the guard.
    var mix: String {
        let counts = Dictionary(grouping: records) { $0.isBad ? .bad : $0.role }.mapValues(\.count)
        return [
            ("out of order", Role.outOfOrder), ("redelivered", .redelivery), ("stale new id", .staleNewID),
            ("replayed", .replay),
        ]
        .map { "\(counts[$0.1] ?? 0) \($0.0)" }.joined(separator: ", ")
    }
}
