/// Personal values (phones, WhatsApp numbers, emails) quoted in messages are bracketed with two
/// private-use code points, so that a log handler masks them whatever they look like (a
/// malformed phone such as `82 9 9331 1122 ramal 5` matches no phone pattern) unless
/// `--log-pii`, and dead-letter headers drop the brackets.
public enum PersonalData {
    public static let open: Unicode.Scalar = "\u{E000}"
    public static let close: Unicode.Scalar = "\u{E001}"

    public static func marked(_ value: String) -> String {
        String(Character(open)) + value + String(Character(close))
    }

    /// `text` without the brackets (the values kept as they are).
    public static func unmarked(_ text: String) -> String {
        guard containsMarks(text) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where scalar != open && scalar != close { scalars.append(scalar) }
        return String(scalars)
    }

    /// `text` with each bracketed value replaced by `mask(value)`; a value whose closing
    /// bracket was cut off (a truncated message) is masked to the end.
    public static func masked(_ text: String, _ mask: (String) -> String) -> String {
        guard containsMarks(text) else { return text }
        var result = String.UnicodeScalarView()
        var value: String.UnicodeScalarView?
        for scalar in text.unicodeScalars {
            if scalar == open {
                value = String.UnicodeScalarView()
                continue
            }
            if scalar == close {
                if let inside = value { result.append(contentsOf: mask(String(inside)).unicodeScalars) }
                value = nil
                continue
            }
            if value != nil { value!.append(scalar) } else { result.append(scalar) }
        }
        if let inside = value { result.append(contentsOf: mask(String(inside)).unicodeScalars) }
        return String(result)
    }

    /// Enough to match a record by eye, not the datum: first character, length.
    public static func mask(_ value: String) -> String {
        guard let first = value.unicodeScalars.first else { return "" }
        return "\(first)***(\(value.unicodeScalars.count) chars)"
    }

    static func containsMarks(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == open || $0 == close }
    }
}
