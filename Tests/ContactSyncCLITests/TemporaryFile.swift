import Foundation

/// Writes `text` to a new file in the temporary directory and returns its path (a settings
/// file, a token file): each test gets its own.
func temporaryFile(_ text: String, suffix: String = ".yaml") throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("contact-sync-\(UUID())\(suffix)").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
