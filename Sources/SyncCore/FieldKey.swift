/// The platform's rules for contact field labels and the keys it derives from them.
public enum FieldKey {
    public static let maxLabelLength = 36
    public static let maxKeyLength = 36

    /// Keys the platform keeps for itself; a label that derives one of them is refused.
    public static let reserved: Set<String> = [
        "id", "uuid", "name", "first_name", "language", "groups", "urns", "created_on", "created_by",
        "modified_on", "modified_by", "last_seen_on", "status", "flow", "is", "has", "org", "tickets",
        "contact", "fields", "blocked", "stopped", "mailto", "tel", "whatsapp", "ext", "facebook",
        "telegram", "twitter", "viber", "line", "instagram",
    ]

    /// The key the platform generates for `label`: lower-cased, every run of characters other
    /// than a-z and 0-9 replaced by one `_`, no leading or trailing `_`, at most 36 characters.
    public static func key(forLabel label: String) -> String {
        if label.isASCII { return asciiKey(forLabel: label) }
        var key = ""
        var pendingUnderscore = false
        for scalar in label.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                if pendingUnderscore && !key.isEmpty { key.append("_") }
                pendingUnderscore = false
                key.unicodeScalars.append(scalar)
            } else {
                pendingUnderscore = true
            }
        }
        return String(key.prefix(maxKeyLength))
    }

    /// Why `label` cannot name a field, or `nil` when it can.
    public static func problem(withLabel label: String) -> String? {
        if label.isEmpty { return "Field label cannot be empty." }
        // Allowed characters are single ASCII bytes: a label of allowed bytes (the usual) has one
        // Character per byte, so its byte count is its length.
        let onlyAllowed = label.utf8.allSatisfy(isAllowed)
        if (onlyAllowed ? label.utf8.count : label.count) > maxLabelLength {
            return "Ensure this field has no more than \(maxLabelLength) characters."
        }
        if !onlyAllowed { return "Can only contain letters, numbers and hypens." }
        let key = key(forLabel: label)
        // Keys hold only a-z, 0-9 and `_`: the first byte decides (no Character properties).
        guard let first = key.utf8.first, first.isASCIILetter else { return "Field key must start with a letter." }
        if reserved.contains(key) { return "Cannot be '\(label)' because it is a reserved field." }
        return nil
    }

    /// The bytes a label may hold: letters, digits, space, `-` and `_`.
    private static func isAllowed(_ byte: UInt8) -> Bool {
        byte.isASCIILetter || byte.isASCIIDigit || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_")
    }

    /// `key(forLabel:)` for an ASCII label, byte by byte (every label of every event's fields).
    private static func asciiKey(forLabel label: String) -> String {
        String(unsafeUninitializedCapacity: label.utf8.count) { key in
            var length = 0
            var pendingUnderscore = false
            for byte in label.utf8 {
                let lower = byte.asciiLowercased
                guard lower.isASCIILetter || lower.isASCIIDigit else {
                    pendingUnderscore = true
                    continue
                }
                if pendingUnderscore && length > 0 {
                    key[length] = UInt8(ascii: "_")
                    length += 1
                }
                pendingUnderscore = false
                key[length] = lower
                length += 1
            }
            return min(length, maxKeyLength)
        }
    }
}
