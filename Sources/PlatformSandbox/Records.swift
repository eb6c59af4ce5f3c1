import Foundation

/// A contact field's value type, with the current (`type`) and older (`value_type`) names.
enum FieldType: String, CaseIterable, Sendable {
    case text, number, datetime, state, district, ward

    /// The name the older `value_type` member uses (`numeric` for numbers).
    var oldName: String { self == .number ? "numeric" : rawValue }

    /// A `value_type` (older spelling: `numeric`, not `number`).
    init?(oldName: String) {
        guard let type = FieldType.allCases.first(where: { $0.oldName == oldName }) else { return nil }
        self = type
    }
}

struct FieldRecord: Sendable {
    let id: Int
    let key: String
    var label: String
    var type: FieldType
}

struct GroupRecord: Sendable {
    let id: Int
    let uuid: String
    var name: String
    /// Set for query-based (smart) groups, which contacts cannot be put in by hand.
    let query: String?
    /// What keeps the group from being deleted (e.g. "campaigns"), seeded by tests.
    let usedBy: String?
    /// A group the platform made (e.g. "Open Tickets"): listed, but `403` to rename or delete.
    var system = false
}

/// A contact's status (`Contact.STATUS_*`): only active contacts can be put in groups.
public enum ContactStatus: String, Sendable, CaseIterable, Codable {
    /// The default.
    case active
    /// Blocked by an agent (`contact_actions.json` `block`; `unblock` makes it active again).
    case blocked
    /// The person opted out (a stop keyword, a channel's opt-out).
    case stopped
    /// Archived by an agent, e.g. before deletion.
    case archived
}

struct ContactRecord: Sendable {
    let id: Int
    let uuid: String
    var name: String?
    var language: String?
    var urns: [String]
    var groupIDs: [Int]
    var status: ContactStatus = .active
    /// `false` once deleted: deletion is soft on the platform (`Contact.release`), so the UUID
    /// still names the contact (`POST ?uuid=` answers 400, not 404) while lists leave it out.
    var isActive = true
    /// Values as sent, by field key; a missing key is an empty value. What the API shows is
    /// derived per the field's current type (`Organisation.value(of:for:)`), so a retyped field
    /// re-reads the same text, as on the platform.
    var fields: [String: String]
    let createdOn: Int64
    var modifiedOn: Int64
}

/// Timestamps as microseconds since 1970, the platform's resolution; strictly increasing so
/// that `modified_on` orders contacts (and cursors through them) without ties.
struct MicrosecondClock: Sendable {
    private var last: Int64 = 0

    mutating func next() -> Int64 {
        let now = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
        last = max(now, last + 1)
        return last
    }

    /// `2015-11-11T13:05:57.457742Z`, the platform's format (always six fraction digits).
    /// Plain integer arithmetic: Calendar and String(format:) cost more than the rest of a request.
    static func format(_ micros: Int64) -> String {
        let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let (days, secondOfDay) = Int(seconds).quotientAndRemainder(dividingBy: 86_400)
        let (year, month, day) = civil(daysSince1970: days)
        var text = ""
        text.reserveCapacity(27)
        func append(_ value: Int, digits: Int) {
            let raw = String(value)
            text += String(repeating: "0", count: max(0, digits - raw.count)) + raw
        }
        append(year, digits: 4)
        text += "-"
        append(month, digits: 2)
        text += "-"
        append(day, digits: 2)
        text += "T"
        append(secondOfDay / 3600, digits: 2)
        text += ":"
        append(secondOfDay / 60 % 60, digits: 2)
        text += ":"
        append(secondOfDay % 60, digits: 2)
        text += "."
        append(Int(fraction), digits: 6)
        text += "Z"
        return text
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
    /// civil_from_days), for the sandbox's own timestamps, which are never before 1970.
    static func civil(daysSince1970: Int) -> (year: Int, month: Int, day: Int) {
        let z = daysSince1970 + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
