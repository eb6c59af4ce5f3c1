import Foundation

/// How the platform turns a value sent for a typed field into the value it stores and shows.
///
/// Like RapidPro, a value that does not parse as the field's type is accepted but stored as
/// empty (the contact answer shows `null`): the platform keeps typed values only.
enum FieldValue {
    /// The stored form of `raw` for a field of `type`, or `nil` when it is empty or does not parse.
    static func normalise(_ raw: String, as type: FieldType) -> String? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        switch type {
        case .text, .state, .district, .ward: return raw
        case .number: return normaliseNumber(text)
        case .datetime: return (ISODateTime.parse(text) ?? ISODateTime.parseDate(text)).map(ISODateTime.formatUTCOffset)
        }
    }

    /// A decimal without sign noise, leading zeros or trailing fraction zeros (`"012.50"` → `"12.5"`).
    static func normaliseNumber(_ text: String) -> String? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigitCharacter) }),
            parts.contains(where: { !$0.isEmpty })
        else { return nil }
        var whole = String(parts[0].drop { $0 == "0" })
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        while fraction.last == "0" { fraction.removeLast() }
        if whole.isEmpty { whole = "0" }
        let magnitude = fraction.isEmpty ? whole : "\(whole).\(fraction)"
        return negative && magnitude != "0" ? "-" + magnitude : magnitude
    }
}

/// ISO 8601 date-times with an offset (`2020-01-31T09:27:39.071299-03:00`, `...Z`, a space
/// instead of `T`), at microsecond resolution; values without an offset are refused, as the
/// platform refuses them.
enum ISODateTime {
    /// Built per use: `Regex` is not `Sendable`, and parsing a date-time is rare enough.
    private static var pattern: Regex<AnyRegexOutput> {
        try! Regex(#"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})$"#)
    }

    /// Microseconds since 1970 (UTC), or `nil` when `text` is not such a date-time.
    static func parse(_ text: String) -> Int64? {
        guard let match = text.wholeMatch(of: pattern) else { return nil }
        func part(_ index: Int) -> String? { match.output[index].substring.map(String.init) }
        guard let year = Int(part(1)!), let month = Int(part(2)!), let day = Int(part(3)!),
            let hour = Int(part(4)!), let minute = Int(part(5)!)
        else { return nil }
        let second = part(6).flatMap(Int.init) ?? 0
        let fractionText = (part(7) ?? "").padding(toLength: 6, withPad: "0", startingAt: 0)
        let micros = Int64(fractionText.prefix(6)) ?? 0
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        var offsetSeconds = 0
        let zone = part(8)!
        if zone != "Z" && zone != "z" {
            let digits = zone.dropFirst().filter(\.isASCIIDigitCharacter)
            let hours = Int(digits.prefix(2))!
            let minutes = Int(digits.suffix(2))!
            guard hours < 24, minutes < 60 else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (zone.first == "-" ? -1 : 1)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day
        else { return nil }
        let seconds = Int64(date.timeIntervalSince1970) - Int64(offsetSeconds)
        return seconds * 1_000_000 + micros
    }

    /// A plain date (`2020-01-31`) as midnight in the workspace's zone (UTC), as the platform
    /// reads dates written in the workspace's date format.
    static func parseDate(_ text: String) -> Int64? {
        parse(text + "T00:00:00Z")
    }

    /// `2020-01-31T12:27:39.071299+00:00`: the organisation's time zone (UTC in the sandbox),
    /// microseconds only when there are any, as the platform shows datetime field values.
    static func formatUTCOffset(_ micros: Int64) -> String {
        let stamp = MicrosecondClock.format(micros)  // ...ss.ffffffZ
        let withoutZone = stamp.dropLast()
        let trimmed = withoutZone.hasSuffix(".000000") ? withoutZone.dropLast(7) : withoutZone
        return trimmed + "+00:00"
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
