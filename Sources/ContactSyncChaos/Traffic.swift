import PlatformSandbox

/// The events a scenario sends and what the platform must hold afterwards.
struct Traffic {
    struct Record {
        let key: String
        let value: [UInt8]?
        /// Bad input: it must end in the dead-letter topic with a reason.
        let isBad: Bool
    }

    /// What one entity's contact must look like at the end: absent, or holding its last event.
    enum Final: Equatable {
        case absent
        case present(name: String, round: String)
    }

    var records: [Record] = []
    var finals: [String: Final] = [:]

    /// `entities` keys, `versions` events each, in rounds. Every 7th entity ends deleted; every
    /// 7th from the fourth is deleted in the last-but-one round and created again in the last.
    static func good(entities: Int, versions: Int, prefix: String = "k") -> Traffic {
        var traffic = Traffic()
        for version in 1...versions {
            for n in 0..<entities {
                let key = "\(prefix)\(n)"
                let deletedNow = (n % 7 == 0 && version == versions) || (n % 7 == 3 && version == versions - 1 && versions > 1)
                let json: String
                if deletedNow {
                    json = event(type: "customer.deleted", id: "\(key)-v\(version)", key: key, version: version, data: "")
                    traffic.finals[key] = .absent
                } else {
                    let type = version == 1 || (n % 7 == 3 && version == versions) ? "customer.created" : "customer.updated"
                    json = event(type: type, id: "\(key)-v\(version)", key: key, version: version,
                                 data: #", "name": "\#(key) v\#(version)", "fields": {"round": \#(version)}"#)
                    traffic.finals[key] = .present(name: "\(key) v\(version)", round: "\(version)")
                }
                traffic.records.append(Record(key: key, value: Array(json.utf8), isBad: false))
            }
        }
        return traffic
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
}
