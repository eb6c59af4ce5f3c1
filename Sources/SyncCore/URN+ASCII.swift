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
        var raw = raw
        let code = defaultCountryCode.map { Array($0.utf8) } ?? []
        return try raw.withUTF8 { bytes -> Result<String, URNProblem> in
            // One pass: separators dropped, the international prefix noted, digits kept.
            var digits = [UInt8]()
            digits.reserveCapacity(bytes.count + code.count)
            var international = false
            var index = 0
            func next() -> UInt8? {
                while index < bytes.count {
                    defer { index += 1 }
                    if !isPhoneSeparator(bytes[index]) { return bytes[index] }
                }
                return nil
            }
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
            var leadingZeros = !international && defaultCountryCode != nil
            var byte = first
            guard byte != nil else { return .failure(.notAPhoneNumber) }
            while let b = byte {
                guard b.isASCIIDigit else { return .failure(.notAPhoneNumber) }
                if !(leadingZeros && b == UInt8(ascii: "0")) {
                    digits.append(b)
                    leadingZeros = false
                }
                byte = next()
            }
            let prefix = international || defaultCountryCode == nil ? [] : code
            let count = prefix.count + digits.count
            guard (4...15).contains(count) else { return .failure(.digitCount(count)) }
            return .success(
                String(unsafeUninitializedCapacity: count + 1) { buffer in
                    buffer[0] = UInt8(ascii: "+")
                    var end = 1
                    for b in prefix {
                        buffer[end] = b
                        end += 1
                    }
                    for b in digits {
                        buffer[end] = b
                        end += 1
                    }
                    return end
                })
        }.get()
    }

    /// `normaliseWhatsApp` for an ASCII path.
    static func asciiWhatsApp(_ raw: String) throws(URNProblem) -> String {
        var raw = raw
        return try raw.withUTF8 { bytes -> Result<String, URNProblem> in
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
    /// the domain (not at its ends), no whitespace; lower-cased.
    static func asciiEmail(_ raw: String) throws(URNProblem) -> String {
        let bytes = raw.utf8
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at != bytes.startIndex else { throw .notAnEmailAddress }
        let domain = bytes[bytes.index(after: at)...]
        guard !domain.contains(UInt8(ascii: "@")), domain.contains(UInt8(ascii: ".")),
            domain.first != UInt8(ascii: "."),
            domain.last != UInt8(ascii: "."), !bytes.contains(where: \.isASCIIWhitespace)
        else { throw .notAnEmailAddress }
        // Most addresses arrive lower-case already: keep the producer's string.
        guard bytes.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else { return raw }
        return raw.lowercased()
    }
}
