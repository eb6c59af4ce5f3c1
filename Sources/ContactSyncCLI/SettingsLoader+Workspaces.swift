import Foundation
import PlatformClient
import SyncCore
import SyncWorker
import Yams

/// `platform.workspaces`: a map from a workspace's name to its own `url`, `token` or
/// `token_file`, `flavor`, `budget.contacts`, `budget.v2` and `managed_groups`, read from the
/// configuration file only (names are the operator's, so no flag or variable could be listed
/// for them). Every key is checked by name, as the rest of the file is.
enum WorkspaceSettings {
    static let keys: Set<String> = [
        "url", "token", "token_file", "flavor", "budget.contacts", "budget.v2", "managed_groups", "paused",
    ]

    /// The workspaces of the file (empty when it has none); `settings` holds the single-workspace
    /// values read so far, each workspace's default for what it leaves out (`url`, `flavor`).
    static func read(fileText: String?, file: String?, settings: Settings) throws(ConfigError)
        -> [WorkspaceConfiguration]
    {
        guard let fileText, let file, let root = try? Yams.compose(yaml: fileText),
            let node = root.mapping?["platform"]?.mapping?["workspaces"]
        else { return [] }
        let source = "file \(file)"
        guard let mapping = node.mapping, !mapping.isEmpty else {
            throw ConfigError(
                key: "platform.workspaces", source: source, value: nil,
                expected:
                    "a mapping from each workspace's name to its url, token or token_file, flavor, budget and managed_groups"
            )
        }
        var workspaces: [WorkspaceConfiguration] = []
        for (nameNode, value) in mapping {
            let name = nameNode.string ?? ""
            guard WorkspaceConfiguration.isValidName(name) else {
                throw ConfigError(
                    key: "platform.workspaces.\(LogText.escaped(name))", source: source, value: nil,
                    expected: "a workspace name of letters, digits, `_`, `-` or `.` (at most 64)")
            }
            workspaces.append(try workspace(name, value, source: source, settings: settings))
        }
        let tokens = workspaces.map(\.platform.token)
        if Set(tokens).count != tokens.count {
            throw ConfigError(
                key: "platform.workspaces", source: source, value: nil,
                expected:
                    "a token per workspace: two workspaces share one (a token opens one workspace; check each token or token_file)"
            )
        }
        return workspaces
    }

    private static func workspace(_ name: String, _ node: Node, source: String, settings: Settings)
        throws(ConfigError) -> WorkspaceConfiguration
    {
        let prefix = "platform.workspaces.\(name)"
        guard let mapping = node.mapping else {
            throw ConfigError(
                key: prefix, source: source, value: nil,
                expected: "a mapping with url, token or token_file, flavor, budget and managed_groups")
        }
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            if key == "budget", let budget = value.mapping {
                for (scope, rate) in budget { values["budget.\(scope.string ?? "")"] = rate }
            } else {
                values[key] = value
            }
        }
        for key in values.keys where !keys.contains(key) {
            throw ConfigError(
                key: "\(prefix).\(LogText.escaped(key))", source: source, value: nil,
                expected: "one of \(keys.sorted().joined(separator: ", "))", isUnknown: true)
        }
        func text(_ key: String) throws(ConfigError) -> String? {
            guard let node = values[key] else { return nil }
            if key == "managed_groups", let items = node.sequence {
                return items.compactMap(\.string).joined(separator: ",")
            }
            guard let scalar = node.scalar?.string else {
                throw ConfigError(
                    key: "\(prefix).\(key)", source: source, value: "(not a single value)", expected: "a single value")
            }
            return scalar.trimmingCharacters(in: .whitespaces)
        }
        let flavorName = try text("flavor")
        let flavor =
            try flavorName.map { (name: String) throws(ConfigError) in
                guard let flavor = PlatformFlavor(rawValue: name) else {
                    throw ConfigError(
                        key: "\(prefix).flavor", source: source, value: name, expected: "textit, rapidpro9 or weni")
                }
                return flavor
            } ?? settings.flavor
        guard let url = try text("url") ?? settings.platformURL else {
            throw ConfigError(
                key: "\(prefix).url", source: "not set in \(source), nor platform.url", value: nil,
                expected: "the workspace's platform base URL (platform.url is every workspace's default)")
        }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw ConfigError(key: "\(prefix).url", source: source, value: url, expected: "an http(s) URL")
        }
        let token: APIToken
        if let given = try text("token"), !given.isEmpty {
            token = APIToken(given)
        } else if let path = try text("token_file") {
            token = APIToken(try TokenFile.read(path, source: source, key: "\(prefix).token_file"))
        } else {
            throw ConfigError(
                key: "\(prefix).token", source: "not set in \(source)", value: nil,
                expected: "the workspace's API token: token_file (a mounted Secret) or token")
        }
        func rate(_ scope: String) throws(ConfigError) -> RequestRate {
            guard let given = try text("budget.\(scope)") else { return flavor.defaultBudget }
            guard let rate = RequestRate(parsing: given) else {
                throw ConfigError(
                    key: "\(prefix).budget.\(scope)", source: source, value: given,
                    expected: "N/s, N/m, N/h or N/d (DRF's form); 0: unlimited")
            }
            return rate
        }
        var paused = false
        if let given = try text("paused") {
            guard let flag = Bool(given) else {
                throw ConfigError(key: "\(prefix).paused", source: source, value: given, expected: "true or false")
            }
            paused = flag
        }
        let groups = (try text("managed_groups") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var workspace = WorkspaceConfiguration(
            name: name,
            platform: PlatformClient.Options(
                baseURL: url, token: token, requestTimeout: settings.requestTimeout,
                maxConnections: max(settings.maxInFlight, 4),
                fieldSpelling: settings.fieldSpelling ?? flavor.fieldSpelling),
            flavor: flavor, budgetContacts: try rate("contacts"), budgetV2: try rate("v2"), managedGroups: groups)
        workspace.paused = paused
        return workspace
    }
}

extension SettingsLoader {
    /// `platform.workspaces` and `platform.workspace_from`: both or neither, so that no event is
    /// sent to a workspace it did not name, nor dead-lettered for naming none.
    func readWorkspaces(into settings: inout Settings, reader: Reader, fileText: String?, file: String?) throws {
        settings.workspaces = try WorkspaceSettings.read(fileText: fileText, file: file, settings: settings)
        if let text = try reader.optionalString("platform.workspace_from") {
            let source = try reader.raw("platform.workspace_from")?.source ?? "default"
            do {
                settings.decoder.workspaceFrom = try WorkspaceSelector(parsing: text)
            } catch {
                throw ConfigError(
                    key: "platform.workspace_from", source: source, value: text,
                    expected: SettingKey.named("platform.workspace_from")!.expected + " (\(error.problem))")
            }
            guard !settings.workspaces.isEmpty else {
                throw ConfigError(
                    key: "platform.workspaces", source: "not in the configuration file", value: nil,
                    expected:
                        "the workspaces events name, since platform.workspace_from (\(source)) is set; or leave platform.workspace_from out for one workspace"
                )
            }
        } else if !settings.workspaces.isEmpty {
            throw ConfigError(
                key: "platform.workspace_from", source: "not set", value: nil,
                expected:
                    "how an event names its workspace, since platform.workspaces is set: header:<name> or a JSON pointer such as /tenant"
            )
        }
    }
}
