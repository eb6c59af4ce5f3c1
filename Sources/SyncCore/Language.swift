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
        code.utf8.count == 3 && codes.contains(code)
    }

    private struct Table: Decodable {
        struct Entry: Decodable { let alpha_3: String }
        let entries: [Entry]
        enum CodingKeys: String, CodingKey { case entries = "639-3" }
    }

    private static func loadCodes() -> Set<String> {
        guard let url = Bundle.module.url(forResource: "iso_639-3", withExtension: "json"),
              let data = try? Data(contentsOf: url),
              let table = try? JSONDecoder().decode(Table.self, from: data) else {
            // The resource is part of the build; its absence is a packaging bug, not bad input.
            preconditionFailure("SyncCore's iso_639-3.json resource is missing or unreadable")
        }
        return Set(table.entries.map(\.alpha_3))
    }
}
