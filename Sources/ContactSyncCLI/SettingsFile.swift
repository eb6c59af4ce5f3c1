import Foundation
import SyncCore
import Yams

/// The YAML configuration file: read with errors a person can act on, and checked so that an
/// unknown key or a value of the wrong shape is refused (naming it), as flags and the
/// environment refuse theirs, instead of being silently ignored.
enum ConfigFile {
    static func read(_ file: String) throws(ConfigError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw ConfigError(
                key: "config", source: "flag --config", value: file,
                expected: "an existing YAML file (no file at this path)")
        }
        guard !isDirectory.boolValue else {
            throw ConfigError(
                key: "config", source: "flag --config", value: file, expected: "a YAML file, not a directory")
        }
        guard FileManager.default.isReadableFile(atPath: file), let data = FileManager.default.contents(atPath: file)
        else {
            throw ConfigError(
                key: "config", source: "flag --config", value: file,
                expected: "a file this process may read (check its permissions)")
        }
        guard let text = String(validating: data, as: UTF8.self),
            !text.unicodeScalars.contains(where: { $0.value == 0 })
        else {
            throw ConfigError(
                key: "config", source: "flag --config", value: file,
                expected: "a UTF-8 YAML text file (this one is binary)")
        }
        return text
    }

    /// Every key must be a setting (or under `kafka:`, librdkafka's), every value a scalar
    /// (or, for `topics`, a list of scalars).
    static func checkKeys(_ text: String, file: String) throws(ConfigError) {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ConfigError(key: "config", source: "flag --config", value: file, expected: "valid YAML (\(error))")
        }
        guard let root else { return }
        guard let mapping = root.mapping else {
            throw ConfigError(
                key: "config", source: "file \(file)", value: nil,
                expected: "a YAML mapping of settings at the top level")
        }
        try check(mapping, prefix: "", file: file)
    }

    private static func check(_ mapping: Node.Mapping, prefix: String, file: String) throws(ConfigError) {
        let known = Set(SettingKey.all.map(\.name))
        for (keyNode, value) in mapping {
            guard let name = keyNode.string else { continue }
            let key = prefix + name
            if key == "kafka" { continue }  // librdkafka properties and our two, checked by the loader
            if key == "platform.workspaces" { continue }  // names are the operator's: `WorkspaceSettings` checks them
            if let nested = value.mapping {
                // A section (`platform:`) holds keys; a known key holding a mapping is the wrong shape.
                guard !known.contains(key), known.contains(where: { $0.hasPrefix(key + ".") }) else {
                    if known.contains(key) {
                        throw ConfigError(
                            key: key, source: "file \(file)", value: "(a mapping)",
                            expected: "a single value: \(SettingKey.named(key)?.expected ?? "")")
                    }
                    throw ConfigError.unknownKey(key, source: "file \(file)")
                }
                try check(nested, prefix: key + ".", file: file)
                continue
            }
            guard known.contains(key) else { throw ConfigError.unknownKey(key, source: "file \(file)") }
            if let items = value.sequence {
                guard key == "topics", items.allSatisfy({ $0.scalar != nil }) else {
                    throw ConfigError(
                        key: key, source: "file \(file)", value: "(a list)",
                        expected: "a single value: \(SettingKey.named(key)?.expected ?? "")")
                }
            }
        }
    }
}
