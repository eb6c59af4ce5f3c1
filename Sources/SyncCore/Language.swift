import Foundation

/// ISO 639-3 language codes, the platform's rule for a contact's `language`.
///
/// The table is Debian's `iso-codes` `iso_639-3.json`, shipped as a resource: the platform
/// checks against the full table, so a regex for "three letters" would accept codes it refuses.
public enum Language {
    /// Every ISO 639-3 code (7,900+), loaded once on first use.
    public static let codes: Set<String> = loadCodes()

    /// Whether `code` is an ISO 639-3 code, exactly as the platform checks it (lower case).
    public static func isValid(_ code: String) -> Bool {
        guard let index = letterIndex(code) else { return false }
        return table[index]
    }

    /// Every code is three letters a-z (checked when loading): a table of 26³ flags answers
    /// for every event without hashing a string.
    private static let table: [Bool] = {
        var table = [Bool](repeating: false, count: 26 * 26 * 26)
        for code in codes {
            guard let index = letterIndex(code) else {
                preconditionFailure("iso_639-3.json holds \"\(code)\", not three letters a-z")
            }
            table[index] = true
        }
        return table
    }()

    /// The position of a three-letter lower-case code in `table`, `nil` for anything else.
    private static func letterIndex(_ code: String) -> Int? {
        let bytes = code.utf8
        guard bytes.count == 3 else { return nil }
        var index = 0
        for byte in bytes {
            guard (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) else { return nil }
            index = index * 26 + Int(byte - UInt8(ascii: "a"))
        }
        return index
    }

    private struct Table: Decodable {
        struct Entry: Decodable { let alpha_3: String }
        let entries: [Entry]
        enum CodingKeys: String, CodingKey { case entries = "639-3" }
    }

    private static func loadCodes() -> Set<String> {
        guard let url = Bundle.module.url(forResource: "iso_639-3", withExtension: "json"),
            let data = try? Data(contentsOf: url),
            let table = try? JSONDecoder().decode(Table.self, from: data)
        else {
            // The resource is part of the build; its absence is a packaging bug, not bad input.
            preconditionFailure("SyncCore's iso_639-3.json resource is missing or unreadable")
        }
        return Set(table.entries.map(\.alpha_3))
    }
}
