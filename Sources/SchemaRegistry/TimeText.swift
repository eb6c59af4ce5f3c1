/// ISO 8601 text of Avro and Debezium dates, times and timestamps, computed from the numbers
/// (no calendar object per value: this runs for every temporal column of every record).
enum TimeText {
    /// `YYYY-MM-DD` for days since 1970-01-01 (proleptic Gregorian); years past 0000…9999 are
    /// written with a sign and at least four digits, as ISO 8601's expanded form.
    static func date(daysSinceEpoch days: Int64) -> String {
        let (year, month, day) = civil(daysSinceEpoch: days)
        let yearText: String
        if (0...9999).contains(year) {
            yearText = padded(year, 4)
        } else {
            yearText = (year < 0 ? "-" : "+") + padded(year.magnitude, 4)
        }
        return "\(yearText)-\(padded(month, 2))-\(padded(day, 2))"
    }

    /// `HH:MM:SS.fff…` for a time of day in `unitsPerSecond` units (1 000, 1 000 000 or 10⁹),
    /// with as many fraction digits as the unit has; `nil` outside one day.
    static func time(_ value: Int64, unitsPerSecond: Int64) -> String? {
        guard value >= 0, value < 86_400 * unitsPerSecond else { return nil }
        return clock(value, unitsPerSecond: unitsPerSecond)
    }

    /// `YYYY-MM-DDTHH:MM:SS.fff…` for `value` units since 1970-01-01T00:00, with `Z` when `utc`.
    static func timestamp(_ value: Int64, unitsPerSecond: Int64, utc: Bool) -> String {
        let unitsPerDay = 86_400 * unitsPerSecond
        // Floor division: a time before 1970 is on the day before, `unitsPerDay - x` into it.
        var days = value / unitsPerDay
        var within = value % unitsPerDay
        if within < 0 {
            days -= 1
            within += unitsPerDay
        }
        return date(daysSinceEpoch: days) + "T" + clock(within, unitsPerSecond: unitsPerSecond) + (utc ? "Z" : "")
    }

    private static func clock(_ value: Int64, unitsPerSecond: Int64) -> String {
        let seconds = value / unitsPerSecond
        let fraction = value % unitsPerSecond
        let fractionDigits = String(unitsPerSecond).count - 1
        let text = "\(padded(seconds / 3600, 2)):\(padded(seconds / 60 % 60, 2)):\(padded(seconds % 60, 2))"
        return fractionDigits == 0 ? text : text + "." + padded(fraction, fractionDigits)
    }

    /// Year, month and day of the proleptic Gregorian calendar for days since 1970-01-01, by
    /// the era arithmetic of H. Hinnant's `civil_from_days` (eras of 400 years, March-based years).
    static func civil(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func padded(_ value: some BinaryInteger, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
