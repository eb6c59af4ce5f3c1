/// Events name fields by key (`signup_date`); the platform creates a field from a *name* and
/// derives the key from it (lower-cased, each run of characters other than `a-z`/`0-9` turned
/// into one `_`). So a missing field is created under a name that derives exactly the event's
/// key (`signup_date` → `Signup Date`), and a key no valid name can derive is refused before
/// any call (`invalid_field_key`), instead of being sent and refused by the platform.
///
/// These are the worker's own rules; the sandbox keeps its own, written separately from the
/// platform's sources, so that a mistake in one is caught by the other.
public enum FieldNaming {
    /// Longest name and key the platform accepts.
    public static let maxLength = 36

    /// The name to create the field `key` with on `flavor`, or why there is none.
    public static func name(forKey key: String, flavor: PlatformFlavor) -> Result<String, FieldKeyProblem> {
        guard !key.isEmpty else { return .failure(FieldKeyProblem(key: key, why: "it is empty")) }
        guard key.utf8.count <= maxLength else {
            return .failure(FieldKeyProblem(key: key, why: "it is longer than \(maxLength) characters"))
        }
        guard let first = key.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else {
            return .failure(FieldKeyProblem(key: key, why: "it must start with a lower-case letter a-z"))
        }
        guard key.utf8.allSatisfy({ isKeyByte($0) }) else {
            return .failure(FieldKeyProblem(key: key, why: "it may hold only a-z, 0-9 and _"))
        }
        guard !flavor.reservedFieldKeys.contains(key) else {
            return .failure(FieldKeyProblem(key: key, why: "\(flavor.rawValue) reserves it"))
        }
        // Words joined by spaces derive the key back only when no `_` is doubled or trailing.
        guard !key.hasSuffix("_"), !key.contains("__") else {
            return .failure(FieldKeyProblem(key: key, why: "no name derives a key with a doubled or trailing _"))
        }
        let words = key.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return .success(words.joined(separator: " "))
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "_")
    }
}

/// A field key that no valid name derives on the configured flavour.
public struct FieldKeyProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let key: String
    public let why: String
    public var description: String { "field key \"\(key)\" cannot be created: \(why)" }
}
