import Foundation

/// Reads `platform.token_file`. Its errors name the path and what is wrong with it: the path is
/// no secret (it is in the pod spec), the file's content is, and is never shown.
enum TokenFile {
    static func read(_ path: String, source: String, key: String = "platform.token_file") throws(ConfigError)
        -> String
    {
        func refuse(_ why: String) -> ConfigError {
            var error = ConfigError(key: key, source: source, value: path, expected: why)
            error.valueIsPublic = true
            return error
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw refuse(
                "a readable file holding the API token; there is no file at this path (is the Secret mounted there?)")
        }
        guard !isDirectory.boolValue else {
            throw refuse("a file holding the API token, not a directory (name the file inside the mounted Secret)")
        }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path)
        else {
            throw refuse("a file this process may read (check its permissions and the pod's user and fsGroup)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw refuse("a UTF-8 text file holding the API token")
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw refuse("a file holding the API token; this one is empty")
        }
        return text
    }
}
