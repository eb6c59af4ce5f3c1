/// The URN rules over ASCII bytes: the same verdicts as the Character rules in `URN.swift`
/// (one Character per byte; a `"\r\n"` pair is refused either way), without walking Characters
/// or building intermediate strings. Paths are already trimmed and non-empty.
extension URN {
    /// The bytes `phoneSeparators` holds.
    static func isPhoneSeparator(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."), UInt8(ascii: "/"): true
        default: false
        }
    }

    /// `normaliseTel` for an ASCII path and a country code of ASCII digits.
    static func asciiTel(_ raw: String, defaultCountryCode: String?) throws(URNProblem) -> String {
        let kept = raw.utf8.lazy.filter { !isPhoneSeparator($0) }
        var digits = kept[...]
        var international = false
        if digits.first == UInt8(ascii: "+") {
            international = true
            digits = digits.dropFirst()
        } else if digits.starts(with: "00".utf8) {
            international = true
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { throw .notAPhoneNumber }
        var countryCode = Substring()
        if !international, let code = defaultCountryCode {
            countryCode = code[...]
            digits = digits.drop { $0 == UInt8(ascii: "0") }
        }
        let count = countryCode.utf8.count + digits.count
        guard (4...15).contains(count) else { throw .digitCount(count) }
        // "+", the country code, the digits: one string, built once.
        return String(unsafeUninitializedCapacity: count + 1) { buffer in
            buffer[0] = UInt8(ascii: "+")
            var end = 1
            for byte in countryCode.utf8 { buffer[end] = byte; end += 1 }
            for byte in digits { buffer[end] = byte; end += 1 }
            return end
        }
    }

    /// `normaliseWhatsApp` for an ASCII path.
    static func asciiWhatsApp(_ raw: String) throws(URNProblem) -> String {
        var digits = raw.utf8.lazy.filter { !isPhoneSeparator($0) }[...]
        if digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), digits.count <= 15 else { throw .notAWhatsAppNumber }
        if digits.count == raw.utf8.count { return raw }
        return String(decoding: digits, as: UTF8.self)
    }

    /// `normaliseEmail` for an ASCII path: exactly one `@`, a non-empty local part, a dot inside
    /// the domain (not at its ends), no whitespace; lower-cased.
    static func asciiEmail(_ raw: String) throws(URNProblem) -> String {
        let bytes = raw.utf8
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at != bytes.startIndex else { throw .notAnEmailAddress }
        let domain = bytes[bytes.index(after: at)...]
        guard !domain.contains(UInt8(ascii: "@")), domain.contains(UInt8(ascii: ".")), domain.first != UInt8(ascii: "."),
              domain.last != UInt8(ascii: "."), !bytes.contains(where: \.isASCIIWhitespace) else { throw .notAnEmailAddress }
        // Most addresses arrive lower-case already: keep the producer's string.
        guard bytes.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else { return raw }
        return raw.lowercased()
    }
}
