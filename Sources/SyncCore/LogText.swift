/// Text from records (keys, values, messages that quote them) made safe for a terminal: control
/// characters, ESC sequences included, are shown escaped (`\u{1B}`) instead of being obeyed by
/// the terminal of whoever reads a log or `dlq inspect`.
public enum LogText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// C0 and C1 controls and DEL (tab and newline too: one record must stay one line), plus
    /// the bidirectional overrides that make text display in another order than it reads.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
}
