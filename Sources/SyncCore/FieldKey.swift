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
        if label.count > maxLabelLength { return "Ensure this field has no more than \(maxLabelLength) characters." }
        let allowed = label.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || $0 == " " || $0 == "-" || $0 == "_"
        }
        if !allowed { return "Can only contain letters, numbers and hypens." }
        let key = key(forLabel: label)
        if key.isEmpty || !(key.first!.isLetter) { return "Field key must start with a letter." }
        if reserved.contains(key) { return "Cannot be '\(label)' because it is a reserved field." }
        return nil
    }
}
