/// A contact URN (`scheme:path`) normalised the way the flow platform stores it.
///
/// The worker and the sandbox share this one implementation so that bad data is rejected
/// before any API call, with the same verdict the platform would give.
public struct URN: Hashable, Sendable, CustomStringConvertible {
    public let scheme: String
    public let path: String

    public var description: String { "\(scheme):\(path)" }

    /// Schemes the platform knows (RapidPro's `URN` schemes); anything else is invalid.
    public static let knownSchemes: Set<String> = [
        "tel", "whatsapp", "mailto", "ext", "facebook", "twitter", "twitterid", "viber", "line",
        "telegram", "jiochat", "wechat", "fcm", "freshchat", "vk", "discord", "rocketchat",
        "instagram", "slack", "webchat", "teams",
    ]

    /// Parses and normalises `text`.
    /// - Parameter defaultCountryCode: digits prefixed to `tel:` numbers written without an
    ///   international prefix (e.g. `"55"`); `nil` treats such numbers as already international.
    public init(parsing text: String, defaultCountryCode: String? = nil) throws(URNError) {
        guard let colon = text.firstIndex(of: ":") else { throw URNError(text, "has no scheme (expected scheme:path)") }
        let scheme = text[..<colon].lowercased()
        let rawPath = text[text.index(after: colon)...].trimmingSpaces()
        guard Self.knownSchemes.contains(scheme) else { throw URNError(text, "has an unknown scheme \"\(scheme)\"") }
        guard !rawPath.isEmpty else { throw URNError(text, "has an empty path") }
        guard rawPath.utf8.count <= 255 else { throw URNError(text, "is longer than 255 characters") }
        self.scheme = scheme
        switch scheme {
        case "tel": path = try Self.normaliseTel(rawPath, defaultCountryCode: defaultCountryCode, original: text)
        case "whatsapp": path = try Self.normaliseWhatsApp(rawPath, original: text)
        case "mailto": path = try Self.normaliseEmail(rawPath, original: text)
        default: path = rawPath
        }
    }

    /// Builds a URN from a scheme and a raw path (e.g. a phone number from an event).
    public init(scheme: String, path: String, defaultCountryCode: String? = nil) throws(URNError) {
        try self.init(parsing: "\(scheme):\(path)", defaultCountryCode: defaultCountryCode)
    }

    static let phoneSeparators: Set<Character> = [" ", "-", "(", ")", ".", "/"]

    static func normaliseTel(_ raw: String, defaultCountryCode: String?, original: String) throws(URNError) -> String {
        var digits = raw.filter { !phoneSeparators.contains($0) }
        var international = false
        if digits.hasPrefix("+") {
            international = true
            digits.removeFirst()
        } else if digits.hasPrefix("00") {
            international = true
            digits.removeFirst(2)
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else {
            throw URNError(original, "is not a phone number (digits, spaces, dashes and an optional leading +)")
        }
        if !international, let code = defaultCountryCode {
            digits = code + String(digits.drop { $0 == "0" })
        }
        guard (4...15).contains(digits.count) else {
            throw URNError(original, "has \(digits.count) digits; E.164 numbers have 4 to 15")
        }
        return "+" + digits
    }

    static func normaliseWhatsApp(_ raw: String, original: String) throws(URNError) -> String {
        var digits = raw.filter { !phoneSeparators.contains($0) }
        if digits.hasPrefix("+") { digits.removeFirst() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), digits.count <= 15 else {
            throw URNError(original, "is not a WhatsApp number (digits only, at most 15)")
        }
        return digits
    }

    static func normaliseEmail(_ raw: String, original: String) throws(URNError) -> String {
        let email = raw.lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), !email.contains(where: \.isWhitespace) else {
            throw URNError(original, "is not an email address")
        }
        return email
    }
}

/// Why a URN was refused, worded like the platform's `Invalid URN: …` answers.
public struct URNError: Error, Hashable, Sendable, CustomStringConvertible {
    public let urn: String
    public let problem: String
    init(_ urn: String, _ problem: String) {
        self.urn = urn
        self.problem = problem
    }
    public var description: String { "Invalid URN: \(urn) (\(problem))" }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
