/// Contact field names and the keys derived from them (`ContactField.make_key`, `is_valid_key`,
/// `is_valid_name` / Weni's `is_valid_label` in `temba/contacts/models.py`).
enum FieldNameRules {
    static let maxNameLength = 36
    static let maxKeyLength = 36

    /// Lower-cased; each run of characters other than `a-z0-9` becomes `_`, none at either end.
    static func key(forName name: String) -> String {
        var key = ""
        var pendingSeparator = false
        for scalar in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || PlatformURN.isASCIIDigit(scalar) {
                if pendingSeparator && !key.isEmpty { key += "_" }
                pendingSeparator = false
                key.unicodeScalars.append(scalar)
            } else {
                pendingSeparator = true
            }
        }
        return key
    }

    /// `^[a-z][a-z0-9_]*$`, not reserved, at most 36 characters.
    static func isValidKey(_ key: String, flavor: SandboxFlavor) -> Bool {
        guard let first = key.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return key.pythonLength <= maxKeyLength && !flavor.reservedFieldKeys.contains(key)
    }

    /// Letters, digits, spaces and hyphens (Weni: and underscores), no surrounding spaces
    /// (Weni strips before checking), at most 36 characters.
    static func isValidName(_ name: String, flavor: SandboxFlavor) -> Bool {
        let checked = flavor == .weni ? name.trimmingSpaces : name
        guard !checked.isEmpty, checked.pythonLength <= maxNameLength, checked == checked.trimmingSpaces else {
            return false
        }
        return checked.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || PlatformURN.isASCIIDigit(scalar)
                || scalar == " " || scalar == "-" || (flavor == .weni && scalar == "_")
        }
    }
}
