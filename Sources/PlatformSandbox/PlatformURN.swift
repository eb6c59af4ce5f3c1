/// The URN schemes each flavour accepts (`URN.SCHEME_CHOICES` in `temba/contacts/models.py`).
enum URNSchemes {
    static func valid(for flavor: SandboxFlavor) -> Set<String> {
        let common: Set<String> = [
            "tel", "mailto", "ext", "facebook", "fcm", "freshchat", "instagram", "jiochat", "line", "rocketchat",
            "slack", "telegram", "twitterid", "twitter", "viber", "vk", "wechat", "whatsapp", "discord",
        ]
        switch flavor {
        // Current RapidPro dropped `discord` and added `bsuid` (WhatsApp business-scoped ids).
        case .textit: return common.subtracting(["discord"]).union(["bsuid", "webchat"])
        case .rapidpro9: return common.union(["webchat"])
        case .weni: return common.union(["weniwebchat", "teams"])
        }
    }
}

/// The platform's URN rules (`URN.normalize` then `URN.validate`), written for the sandbox alone.
///
/// `tel:` numbers are checked with libphonenumber against the workspace's country on the
/// platform; the sandbox's workspace has no country, so a number must carry its country code:
/// after normalising, `+` and 8 to 15 digits not starting with 0 (E.164's bounds; Weni checks
/// the same 8...15 digits in `validate_contact_phone`). That is the one approximation here.
enum PlatformURN {
    /// The URN's identity (`scheme:path`, normalised), or `nil` when the platform would refuse it.
    static func normalise(_ text: String, flavor: SandboxFlavor) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let scheme = text[..<colon].lowercased()
        var path = Substring(text[text.index(after: colon)...])
        // `scheme:path?query#display`: the identity leaves out the query and the display.
        if let hash = path.firstIndex(of: "#") { path = path[..<hash] }
        if scheme != "ext", let question = path.firstIndex(of: "?") { path = path[..<question] }
        guard URNSchemes.valid(for: flavor).contains(scheme) else { return nil }
        var normalised = path.trimmingSpaces
        switch scheme {
        case "tel": normalised = normaliseNumber(normalised)
        case "twitter":
            normalised = normalised.lowercased()
            if normalised.hasPrefix("@") { normalised.removeFirst() }
        case "mailto": normalised = normalised.lowercased()
        case "whatsapp", "bsuid":
            // A business-scoped id `cc.ALNUM`: the country code is upper-cased.
            let scalars = Array(normalised.unicodeScalars)
            if scalars.count > 2, scalars[2] == "." {
                normalised =
                    String(String.UnicodeScalarView(scalars[..<2])).uppercased()
                    + String(String.UnicodeScalarView(scalars[2...]))
            }
        default: break
        }
        guard !normalised.isEmpty, isValid(scheme: scheme, path: normalised) else { return nil }
        return "\(scheme):\(normalised)"
    }

    /// `URN.normalize_number`: digits and letters only, `+` kept when given or when the number is
    /// at least 11 characters not starting with 0.
    static func normaliseNumber(_ number: String) -> String {
        let kept = String(number.lowercased().unicodeScalars.filter { isASCIIDigit($0) || ("a"..."z").contains($0) })
        if number.hasPrefix("+") || (kept.unicodeScalars.count >= 11 && !kept.hasPrefix("0")) {
            return "+" + kept
        }
        return kept
    }

    private static func isValid(scheme: String, path: String) -> Bool {
        let scalars = Array(path.unicodeScalars)
        switch scheme {
        case "tel":
            guard scalars.first == "+" else { return false }
            let digits = scalars.dropFirst()
            return (8...15).contains(digits.count) && digits.allSatisfy(isASCIIDigit) && digits.first != "0"
        case "twitter":
            return (1...15).contains(scalars.count) && scalars.allSatisfy { isWordASCII($0) }
        case "twitterid", "telegram", "instagram":
            return scalars.allSatisfy(isASCIIDigit)
        case "facebook":
            return path.hasPrefix("ref:") || scalars.allSatisfy(isASCIIDigit)
                || (scalars.first == "-" && scalars.dropFirst().allSatisfy(isASCIIDigit) && scalars.count > 1)
        case "mailto":
            // Django's validate_email, reduced: one `@`, a local part, a dotted domain, no spaces.
            let parts = path.split(separator: "@", omittingEmptySubsequences: false)
            return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
                && !parts[1].hasSuffix(".") && !path.unicodeScalars.contains { $0.properties.isWhitespace }
        case "whatsapp", "bsuid":
            if scheme == "whatsapp", scalars.allSatisfy(isASCIIDigit) { return true }
            // `^[A-Z]{2}\.[a-zA-Z0-9]{1,128}$`
            guard scalars.count >= 4, scalars[2] == ".", scalars[0..<2].allSatisfy({ ("A"..."Z").contains($0) }) else {
                return false
            }
            let rest = scalars[3...]
            return rest.count <= 128
                && rest.allSatisfy { isASCIIDigit($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
        case "viber":
            return (1...24).contains(scalars.count)
                && scalars.allSatisfy { isWordASCII($0) || $0 == "=" || $0 == "+" || $0 == "/" }
        default:
            return true  // anything goes for the other schemes
        }
    }

    static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func isWordASCII(_ scalar: Unicode.Scalar) -> Bool {
        isASCIIDigit(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }
}

extension StringProtocol {
    /// Python's `str.strip()`: surrounding Unicode whitespace removed.
    var trimmingSpaces: String {
        let scalars = Array(unicodeScalars)
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// Python's `len`: Unicode code points, not grapheme clusters.
    var pythonLength: Int { unicodeScalars.count }
}
