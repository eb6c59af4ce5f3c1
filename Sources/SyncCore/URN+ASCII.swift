/// The URN rules over ASCII bytes: the same verdicts as the Character rules in `URN.swift`
/// (one Character per byte; a `"\r\n"` pair is refused either way), without walking Characters
/// or building intermediate strings. Paths are already trimmed and non-empty.
extension URN {
    /// The bytes `phoneSeparators` holds.
    static func isPhoneSeparator(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."),
            UInt8(ascii: "/"):
            true
        default: false
        }
    }

    /// `normaliseTel` for an ASCII path and a country code of ASCII digits.
    static func asciiTel(_ raw: String, defaultCountryCode: String?) throws(URNProblem) -> String {
        let code = defaultCountryCode ?? ""
        return try raw.withUTF8Bytes { bytes in
            code.withUTF8Bytes { code in asciiTel(bytes, code: code, hasCode: defaultCountryCode != nil) }
        }.get()
    }

    /// Two passes over the bytes in place, no intermediate array: the first checks the digits
    /// and counts those kept, the second writes `+`, the country code and the digits.
    private static func asciiTel(_ bytes: UnsafeBufferPointer<UInt8>, code: UnsafeBufferPointer<UInt8>, hasCode: Bool)
        -> Result<String, URNProblem>
    {
        var index = 0
        func next() -> UInt8? {
            while index < bytes.count {
                defer { index += 1 }
                if !isPhoneSeparator(bytes[index]) { return bytes[index] }
            }
            return nil
        }
        // The international prefix ("+" or "00"), separators allowed around it.
        var international = false
        var first = next()
        if first == UInt8(ascii: "+") {
            international = true
            first = next()
        } else if first == UInt8(ascii: "0") {
            let saved = index
            if next() == UInt8(ascii: "0") {
                international = true
                first = next()
            } else {
                index = saved
            }
        }
        guard first != nil else { return .failure(.notAPhoneNumber) }
        let body = index - 1  // where `first` sits
        // Leading zeros give way to the country code (a trunk prefix, as in "082 …").
        let stripsZeros = !international && hasCode
        var leadingZeros = stripsZeros
        var kept = 0
        for position in body..<bytes.count {
            let b = bytes[position]
            if isPhoneSeparator(b) { continue }
            guard b.isASCIIDigit else { return .failure(.notAPhoneNumber) }
            if leadingZeros && b == UInt8(ascii: "0") { continue }
            leadingZeros = false
            kept += 1
        }
        let prefix = international || !hasCode ? 0 : code.count
        let count = prefix + kept
        guard (4...15).contains(count) else { return .failure(.digitCount(count)) }
        return .success(
            String(unsafeUninitializedCapacity: count + 1) { buffer in
                buffer[0] = UInt8(ascii: "+")
                var end = 1
                for b in code.prefix(prefix) {
                    buffer[end] = b
                    end += 1
                }
                leadingZeros = stripsZeros
                for position in body..<bytes.count {
                    let b = bytes[position]
                    if isPhoneSeparator(b) || (leadingZeros && b == UInt8(ascii: "0")) { continue }
                    leadingZeros = false
                    buffer[end] = b
                    end += 1
                }
                return end
            })
    }

    /// `normaliseWhatsApp` for an ASCII path.
    static func asciiWhatsApp(_ raw: String) throws(URNProblem) -> String {
        try raw.withUTF8Bytes { bytes -> Result<String, URNProblem> in
            var digits = 0
            var separators = 0
            var plus = false
            for byte in bytes {
                if isPhoneSeparator(byte) {
                    separators += 1
                    continue
                }
                if byte == UInt8(ascii: "+") && !plus && digits == 0 {
                    plus = true
                    continue
                }  // one leading '+'
                guard byte.isASCIIDigit else { return .failure(.notAWhatsAppNumber) }
                digits += 1
            }
            guard digits > 0, digits <= 15 else { return .failure(.notAWhatsAppNumber) }
            if separators == 0 && !plus { return .success(String(decoding: bytes, as: UTF8.self)) }
            return .success(
                String(unsafeUninitializedCapacity: digits) { buffer in
                    var end = 0
                    for byte in bytes where byte.isASCIIDigit {
                        buffer[end] = byte
                        end += 1
                    }
                    return end
                })
        }.get()
    }

    /// `normaliseEmail` for an ASCII path: exactly one `@`, a non-empty local part, a dot inside
    /// the domain (not at its ends), no whitespace; lower-cased. One pass over the bytes in place.
    static func asciiEmail(_ raw: String) throws(URNProblem) -> String {
        let (valid, hasUpper) = raw.withUTF8Bytes { bytes -> (Bool, Bool) in
            var at = -1
            var ats = 0
            var dotInDomain = false
            var hasUpper = false
            for position in bytes.indices {
                let byte = bytes[position]
                if byte == UInt8(ascii: "@") {
                    ats += 1
                    at = position
                } else if byte == UInt8(ascii: ".") {
                    if ats > 0 { dotInDomain = true }
                } else if byte.isASCIIWhitespace {
                    return (false, false)
                } else if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) {
                    hasUpper = true
                }
            }
            // One '@' not first, and a domain holding a dot (so not empty) at neither end.
            let valid =
                ats == 1 && at > 0 && dotInDomain && bytes[at + 1] != UInt8(ascii: ".")
                && bytes[bytes.count - 1] != UInt8(ascii: ".")
            return (valid, hasUpper)
        }
        guard valid else { throw .notAnEmailAddress }
        // Most addresses arrive lower-case already: keep the producer's string.
        return hasUpper ? raw.lowercased() : raw
    }
}
