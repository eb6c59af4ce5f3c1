import Foundation

/// RFC 3339 / ISO 8601 timestamps as events carry them.
public enum Timestamp {
    /// Milliseconds since the epoch, when `text` is a date-time with an offset (`Z` or `±hh:mm`).
    public static func milliseconds(fromISO8601 text: String) -> Int64? {
        // Read the bytes in place (native strings are contiguous): no copy per event.
        text.withUTF8Bytes(milliseconds(iso8601Bytes:))
    }

    static func milliseconds(iso8601Bytes utf8: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard utf8.count >= 20, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
            utf8[10] == UInt8(ascii: "T") || utf8[10] == UInt8(ascii: " "),
            utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard i < utf8.count, (48...57).contains(utf8[i]) else { return nil }
                value = value * 10 + Int(utf8[i] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < utf8.count, (48...57).contains(utf8[index]) {
                if digits < 3 { millis = millis * 10 + Int(utf8[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        guard index < utf8.count else { return nil }
        var offsetSeconds = 0
        if utf8[index] == UInt8(ascii: "Z") || utf8[index] == UInt8(ascii: "z") {
            index += 1
        } else if utf8[index] == UInt8(ascii: "+") || utf8[index] == UInt8(ascii: "-") {
            let sign = utf8[index] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = number(index + 1..<index + 3) else { return nil }
            var next = index + 3
            if next < utf8.count, utf8[next] == UInt8(ascii: ":") { next += 1 }
            guard let om = number(next..<next + 2) else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
            index = next + 2
        } else {
            return nil
        }
        guard index == utf8.count else { return nil }
        let days = daysFromCivil(year, month, day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return seconds * 1000 + Int64(millis)
    }

    /// Whether a string value is meant as a datetime (so a malformed one is refused, not kept as text).
    static func looksLikeDateTime(_ text: String) -> Bool {
        text.withUTF8Bytes { utf8 in
            utf8.count >= 16 && utf8[0].isASCIIDigit && utf8[3].isASCIIDigit && utf8[4] == UInt8(ascii: "-")
                && utf8[7] == UInt8(ascii: "-") && utf8[10] == UInt8(ascii: "T")
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
