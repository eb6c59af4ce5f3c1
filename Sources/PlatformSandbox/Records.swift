import Foundation

/// A contact field's value type, with the current (`type`) and older (`value_type`) names.
enum FieldType: String, CaseIterable, Sendable {
    case text, number, datetime, state, district, ward

    /// The name the older `value_type` member uses (`numeric` for numbers).
    var oldName: String { self == .number ? "numeric" : rawValue }

    /// Either spelling, as servers old and new accept them.
    init?(anyName: String) {
        if anyName == "numeric" {
            self = .number
        } else {
            self.init(rawValue: anyName)
        }
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
}

struct ContactRecord: Sendable {
    let id: Int
    let uuid: String
    var name: String?
    var language: String?
    var urns: [String]
    var groupIDs: [Int]
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
    static func format(_ micros: Int64) -> String {
        let seconds = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let date = Date(timeIntervalSince1970: TimeInterval(seconds.quotient))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let fraction = String(seconds.remainder)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.", parts.year!, parts.month!, parts.day!,
                      parts.hour!, parts.minute!, parts.second!)
            + String(repeating: "0", count: 6 - fraction.count) + fraction + "Z"
    }
}
