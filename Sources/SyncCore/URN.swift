/// A contact URN (`scheme:path`) normalised the way the flow platform stores it.
///
/// The worker and the sandbox share this one implementation so that bad data is rejected
/// before any API call, with the same verdict the platform would give.
public struct URN: Hashable, Sendable, CustomStringConvertible {
    public let scheme: String
    public let path: String

    /// Every change's entity key is this text: appended rather than interpolated, which costs
    /// several times more.
    public var description: String {
        var text = scheme
        text.append(":")
        text.append(path)
        return text
    }

    /// Schemes the platform knows (RapidPro's `URN` schemes); anything else is invalid.
    public static let knownSchemes: Set<String> = [
        "tel", "whatsapp", "mailto", "ext", "facebook", "twitter", "twitterid", "viber", "line",
        "telegram", "jiochat", "wechat", "fcm", "freshchat", "vk", "discord", "rocketchat",
        "instagram", "slack", "webchat", "teams",
    ]

    /// `knownSchemes.contains(scheme)`, with the schemes of nearly every event compared first.
    static func isKnown(_ scheme: String) -> Bool {
        scheme == "tel" || scheme == "whatsapp" || scheme == "mailto" || scheme == "ext"
            || knownSchemes.contains(scheme)
    }

    /// Parses and normalises `text`.
    /// - Parameter defaultCountryCode: digits prefixed to `tel:` numbers written without an
    ///   international prefix (e.g. `"55"`); `nil` treats such numbers as already international.
    public init(parsing text: String, defaultCountryCode: String? = nil) throws(URNError) {
        guard let colon = text.firstIndex(of: ":") else { throw URNError(text, "has no scheme (expected scheme:path)") }
        let scheme = text[..<colon].lowercased()
        let rawPath = String(text[text.index(after: colon)...].trimmingSpaces())
        guard Self.knownSchemes.contains(scheme) else { throw URNError(text, "has an unknown scheme \"\(scheme)\"") }
        try self.init(knownScheme: scheme, rawPath: rawPath, defaultCountryCode: defaultCountryCode) { text }
    }

    /// Builds a URN from a scheme and a raw path (e.g. a phone number from an event).
    public init(scheme: String, path: String, defaultCountryCode: String? = nil) throws(URNError) {
        // Every event's URNs come through here. With a known (lower-case) scheme and a path whose
        // first byte is ASCII (so no combining mark can join the ':'), "scheme:path" parses
        // into exactly this scheme and path: skip building and re-splitting that text.
        guard Self.isKnown(scheme), path.utf8.first.map({ $0 < 0x80 }) ?? true else {
            try self.init(parsing: "\(scheme):\(path)", defaultCountryCode: defaultCountryCode)
            return
        }
        try self.init(knownScheme: scheme, rawPath: path.trimmingSpaces(), defaultCountryCode: defaultCountryCode) {
            "\(scheme):\(path)"
        }
    }

    /// Validates and normalises `rawPath` (already trimmed) for `scheme`; `original` names the
    /// URN as the producer wrote it, for the error.
    private init(knownScheme scheme: String, rawPath: String, defaultCountryCode: String?, original: () -> String)
        throws(URNError)
    {
        guard !rawPath.isEmpty else { throw URNError(original(), "has an empty path") }
        guard rawPath.utf8.count <= 255 else { throw URNError(original(), "is longer than 255 characters") }
        self.scheme = scheme
        do {
            switch scheme {
            case "tel": path = try Self.normaliseTel(rawPath, defaultCountryCode: defaultCountryCode)
            case "whatsapp": path = try Self.normaliseWhatsApp(rawPath)
            case "mailto": path = try Self.normaliseEmail(rawPath)
            default: path = rawPath
            }
        } catch {
            throw URNError(original(), error.problem)
        }
    }

    static let phoneSeparators: Set<Character> = [" ", "-", "(", ")", ".", "/"]

    static func normaliseTel(_ raw: String, defaultCountryCode: String?) throws(URNProblem) -> String {
        if raw.isASCII, defaultCountryCode?.utf8.allSatisfy(\.isASCIIDigit) ?? true {
            return try asciiTel(raw, defaultCountryCode: defaultCountryCode)
        }
        return try characterTel(raw, defaultCountryCode: defaultCountryCode)
    }

    /// The rule as the platform writes it, over Characters (the reference for `asciiTel`).
    static func characterTel(_ raw: String, defaultCountryCode: String?) throws(URNProblem) -> String {
        var digits = raw.filter { !phoneSeparators.contains($0) }
        var international = false
        if digits.hasPrefix("+") {
            international = true
            digits.removeFirst()
        } else if digits.hasPrefix("00") {
            international = true
            digits.removeFirst(2)
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { throw .notAPhoneNumber }
        if !international, let code = defaultCountryCode {
            digits = code + String(digits.drop { $0 == "0" })
        }
        guard (4...15).contains(digits.count) else { throw .digitCount(digits.count) }
        return "+" + digits
    }

    static func normaliseWhatsApp(_ raw: String) throws(URNProblem) -> String {
        if raw.isASCII { return try asciiWhatsApp(raw) }
        return try characterWhatsApp(raw)
    }

    /// The rule over Characters (the reference for `asciiWhatsApp`).
    static func characterWhatsApp(_ raw: String) throws(URNProblem) -> String {
        var digits = raw.filter { !phoneSeparators.contains($0) }
        if digits.hasPrefix("+") { digits.removeFirst() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), digits.count <= 15 else { throw .notAWhatsAppNumber }
        return digits
    }

    static func normaliseEmail(_ raw: String) throws(URNProblem) -> String {
        if raw.isASCII { return try asciiEmail(raw) }
        return try characterEmail(raw)
    }

    /// The rule over Characters (the reference for `asciiEmail`).
    static func characterEmail(_ raw: String) throws(URNProblem) -> String {
        let email = raw.lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), !email.contains(where: \.isWhitespace)
        else { throw .notAnEmailAddress }
        return email
    }
}

/// What is wrong with a URN's path; `URN`'s initialisers wrap it into a `URNError`.
struct URNProblem: Error {
    let problem: String

    static let notAPhoneNumber = URNProblem(
        problem: "is not a phone number (digits, spaces, dashes and an optional leading +)")
    static let notAWhatsAppNumber = URNProblem(problem: "is not a WhatsApp number (digits only, at most 15)")
    static let notAnEmailAddress = URNProblem(problem: "is not an email address")
    static func digitCount(_ count: Int) -> URNProblem {
        URNProblem(problem: "has \(count) digits; E.164 numbers have 4 to 15")
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
