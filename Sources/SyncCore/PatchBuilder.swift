import Foundation
import JSON

/// Turns member values found in an event into a validated `ContactPatch`, with the platform's
/// rules, so bad data is refused before any call. Each value comes with the place it was read
/// from (e.g. `data.phone (JSON pointer /data/phone)`), which every rejection names.
struct PatchBuilder {
    let defaultCountryCode: String?
    var patch = ContactPatch()

    static let maxName = 64
    static let maxItems = 100

    mutating func name(_ value: JSON, at place: String) throws(Rejection) {
        if value.isNull {
            patch.name = .clear
            return
        }
        guard let text = value.scalarText else {
            throw Rejection(.invalidName, "\(place) must be a string, got \(value.kind)")
        }
        let trimmed = text.trimmingSpaces()
        guard trimmed.hasAtMost(Self.maxName) else {
            throw Rejection(
                .invalidName,
                "\(place) has \(trimmed.platformLength) characters (code points, as the platform counts them); the platform allows at most \(Self.maxName)"
            )
        }
        patch.name = trimmed.isEmpty ? .clear : .set(trimmed)
    }

    mutating func language(_ value: JSON, at place: String) throws(Rejection) {
        if value.isNull {
            patch.language = .clear
            return
        }
        guard let code = value.string, Language.isValid(code) else {
            throw Rejection(
                .invalidLanguage,
                "\(place) = \(value.preview) is not an ISO 639-3 code (three lower-case letters, e.g. \"por\")")
        }
        patch.language = .set(code)
    }

    mutating func urn(_ scheme: String, _ value: JSON, at place: String) throws(Rejection) {
        let update: Update<URN>
        if value.isNull {
            update = .clear
        } else {
            guard let text = value.scalarText, !text.trimmingSpaces().isEmpty else {
                throw Rejection(
                    .invalidURN, "\(place) must be a non-empty string, got \(PersonalData.marked(value.preview))")
            }
            // Accept both "+5582…" and "tel:+5582…" from producers.
            let path = Self.droppingScheme(scheme, from: text)
            do { update = .set(try URN(scheme: scheme, path: path, defaultCountryCode: defaultCountryCode)) } catch {
                // The value is personal data, valid or not: bracketed so that logs mask it.
                throw Rejection(
                    .invalidURN, "\(place): Invalid URN: \(PersonalData.marked(error.urn)) (\(error.problem))")
            }
        }
        switch scheme {
        case "tel": patch.phone = update
        case "whatsapp": patch.whatsapp = update
        default: patch.email = update
        }
    }

    mutating func groups(_ value: JSON, at place: String) throws(Rejection) {
        if value.isNull {
            patch.groups = .clear
            return
        }
        guard case .array(let items) = value else {
            throw Rejection(.invalidGroup, "\(place) must be a list of group names, got \(value.kind)")
        }
        guard items.count <= Self.maxItems else {
            throw Rejection(.tooMany, "\(place) names \(items.count) groups; at most \(Self.maxItems)")
        }
        var names: [String] = []
        names.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard let name = item.string, !name.isEmpty, name.hasAtMost(64), name.trimmingSpaces() == name else {
                throw Rejection(
                    .invalidGroup,
                    "item \(index) of \(place) = \(item.preview) is not a group name (1 to 64 characters, no surrounding spaces)"
                )
            }
            if !names.contains(where: { $0.equalsIgnoringCase(name) }) { names.append(name) }
        }
        patch.groups = .set(names)
    }

    mutating func fields(_ value: JSON, at place: String) throws(Rejection) {
        guard case .object(let members) = value else {
            throw Rejection(.invalidFieldValue, "\(place) must be an object of field values, got \(value.kind)")
        }
        patch.fields.reserveCapacity(patch.fields.count + members.count)
        for (label, item) in members { try field(label, item, at: "\(place).\(label)") }
    }

    /// - Parameter place: where the value was found, for a rejection: built only then (every
    ///   field of every event comes through here).
    mutating func field(_ name: String, _ value: JSON, at place: @autoclosure () -> String) throws(Rejection) {
        // Events name fields by key (`signup_date`): kept as is, the worker checks it against the
        // configured flavour's rules. Anything else is a label (`Signup date`, as mapping files
        // write them), checked and turned into the key the platform derives from it.
        let label: String
        if Self.hasKeyShape(name) {
            label = name
        } else {
            if let problem = FieldKey.problem(withLabel: name) {
                throw Rejection(.invalidFieldLabel, "\(place()): field label \"\(name)\" is refused: \(problem)")
            }
            label = FieldKey.key(forLabel: name)
        }
        guard patch.fields.count < Self.maxItems || patch.fields[label] != nil else {
            throw Rejection(.tooMany, "\(place()): more than \(Self.maxItems) fields in one event")
        }
        switch value {
        case .null: patch.fields[label] = .clear
        case .number(let digits):
            // `1e999999` is valid JSON but no number the platform stores: refused, never made up.
            guard Self.isRepresentable(digits) else {
                throw Rejection(
                    .invalidFieldValue, "\(place()) = \(JSON.number(digits).preview) is out of range for a number field"
                )
            }
            patch.fields[label] = .set(.number(digits))
        case .bool(let flag): patch.fields[label] = .set(.text(flag ? "true" : "false"))
        case .string(let text):
            if text.isEmpty {
                patch.fields[label] = .clear
            } else if Timestamp.looksLikeDateTime(text) {
                guard Timestamp.milliseconds(fromISO8601: text) != nil else {
                    throw Rejection(
                        .invalidFieldValue,
                        "\(place()) = \"\(text)\" looks like a datetime but is not ISO 8601 with an offset")
                }
                patch.fields[label] = .set(.datetime(text))
            } else {
                guard text.hasAtMost(640) else {
                    throw Rejection(.invalidFieldValue, "\(place()) is longer than 640 characters")
                }
                patch.fields[label] = .set(.text(text))
            }
        case .array, .object:
            throw Rejection(
                .invalidFieldValue, "\(place()) must be text, a number, a datetime or null, got \(value.kind)")
        }
    }

    /// Whether a JSON number survives as a decimal (the platform stores numbers as decimals).
    /// Plain integers and short decimals, nearly all of them, skip the conversion.
    static func isRepresentable(_ digits: String) -> Bool {
        if digits.utf8.count <= 18, !digits.utf8.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
        {
            return true
        }
        guard let decimal = Decimal(string: digits), !decimal.isNaN, let double = Double(digits), double.isFinite else {
            return false
        }
        return true
    }

    /// `text` without a leading `scheme:` (as `text.hasPrefix("\(scheme):")` sees it).
    static func droppingScheme(_ scheme: String, from text: String) -> String {
        // Nearly every value ("+5582…", "john@…") differs in its first byte: a text whose first
        // byte is not the scheme's (an ASCII letter, which nothing else is canonically
        // equivalent to) cannot start with it, whatever follows.
        if let first = scheme.utf8.first, first < 0x80, text.utf8.first != first { return text }
        guard text.isASCII, scheme.isASCII else {
            return text.hasPrefix("\(scheme):") ? String(text.dropFirst(scheme.count + 1)) : text
        }
        // ASCII: the scheme's letters and the ':' are one Character each, so bytes decide.
        let bytes = text.utf8
        guard bytes.starts(with: scheme.utf8) else { return text }
        let colon = bytes.index(bytes.startIndex, offsetBy: scheme.utf8.count)
        guard colon != bytes.endIndex, bytes[colon] == UInt8(ascii: ":") else { return text }
        return String(text[bytes.index(after: colon)...])
    }

    /// `a-z` first, then `a-z`, `0-9` and `_`, at most 36 bytes: the shape of a field key.
    static func hasKeyShape(_ name: String) -> Bool {
        name.withUTF8Bytes { bytes in
            guard let first = bytes.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z"),
                bytes.count <= FieldKey.maxKeyLength
            else {
                return false
            }
            return bytes.allSatisfy {
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                    || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
            }
        }
    }

    var isEmpty: Bool { patch == ContactPatch() }

    /// The patch, moved out rather than copied (every member retained, then released with the
    /// builder) at the end of every event.
    consuming func finish() -> ContactPatch { patch }
}

extension JSON {
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// A short rendering for messages (values may be personal data: kept short).
    var preview: String {
        switch self {
        case .string(let s): "\"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case .number(let n): n.count > 40 ? String(n.prefix(40)) + "…" : n
        default: kind
        }
    }
}
