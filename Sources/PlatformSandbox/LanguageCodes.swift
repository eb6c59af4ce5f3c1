import Foundation

/// ISO 639-3 codes as the platform knows them: `pycountry.languages.get(alpha_3=value)`.
///
/// pycountry ships Debian's iso-codes data, so the sandbox reads the same file from the system
/// (`/usr/share/iso-codes/json/iso_639-3.json`, installed by `scripts/bootstrap`). pycountry's
/// lookups ignore case, so `ENG` is known too (and kept as sent).
enum LanguageCodes {
    static let path = "/usr/share/iso-codes/json/iso_639-3.json"

    /// Loaded once. `nil` when the file is missing: then any three ASCII letters pass, and
    /// `Sandbox.start` logs that languages are not checked.
    static let known: Set<String>? = load()

    static func isKnown(_ code: String) -> Bool {
        let lowered = code.lowercased()
        guard let known else {
            return lowered.unicodeScalars.count == 3 && lowered.unicodeScalars.allSatisfy { ("a"..."z").contains($0) }
        }
        return known.contains(lowered)
    }

    private struct File: Decodable {
        struct Entry: Decodable { let alpha_3: String }
        let entries: [Entry]
        enum CodingKeys: String, CodingKey { case entries = "639-3" }
    }

    private static func load() -> Set<String>? {
        guard let data = FileManager.default.contents(atPath: path),
            let file = try? JSONDecoder().decode(File.self, from: data)
        else { return nil }
        return Set(file.entries.map { $0.alpha_3.lowercased() })
    }
}
