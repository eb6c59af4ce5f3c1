import Foundation
import SchemaRegistry

/// `schema_registry.*`: the registry's URL and credentials, checked together so that a half
/// configuration (a user without a password, credentials without a URL, basic auth and a
/// bearer token at once) stops start-up with what to fix instead of failing on every record.
extension Reader {
    func schemaRegistry() throws -> SchemaRegistryHTTP.Options? {
        let username = try optionalString("schema_registry.username").flatMap { $0.isEmpty ? nil : $0 }
        let password = try secret("schema_registry.password", file: "schema_registry.password_file")
        let bearer = try secret("schema_registry.bearer_token", file: "schema_registry.bearer_token_file")
        guard let url = try optionalString("schema_registry.url"), !url.isEmpty else {
            let given = [
                ("schema_registry.username", username != nil), ("schema_registry.password", password != nil),
                ("schema_registry.bearer_token", bearer != nil),
            ].first { $0.1 }
            if let given {
                throw ConfigError(
                    key: "schema_registry.url",
                    source: "not set (CONTACT_SYNC_SCHEMA_REGISTRY_URL), but \(given.0) is", value: nil,
                    expected: "the registry's URL, or no schema_registry.* credentials")
            }
            return nil
        }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw error("schema_registry.url", value: url)
        }
        let credentials: RegistryCredentials
        switch (username, password, bearer) {
        case (nil, nil, nil): credentials = .none
        case (let user?, let password?, nil): credentials = .basic(username: user, password: password)
        case (nil, nil, let token?): credentials = .bearer(token)
        case (_, _, _?):
            throw ConfigError(
                key: "schema_registry.bearer_token",
                source: (try? raw("schema_registry.bearer_token"))?.source
                    ?? (try? raw("schema_registry.bearer_token_file"))?.source ?? "-",
                value: nil, expected: "either a bearer token or basic auth (username and password), not both")
        case (nil, _?, nil):
            throw ConfigError(
                key: "schema_registry.username", source: "not set, but a password is", value: nil,
                expected: "the user (Confluent Cloud: the API key) the password belongs to")
        case (_?, nil, nil):
            throw ConfigError(
                key: "schema_registry.password",
                source: "not set (CONTACT_SYNC_SCHEMA_REGISTRY_PASSWORD or _PASSWORD_FILE), but a username is",
                value: nil, expected: "the password (Confluent Cloud: the API secret) of schema_registry.username")
        }
        return SchemaRegistryHTTP.Options(url: url, credentials: credentials)
    }

    /// A secret given as a value or as a file holding it: one setting given two ways, the
    /// higher layer winning (flags, environment, file), the value within one layer, as
    /// `platform.token` and its file. Empty counts as unset.
    private func secret(_ name: String, file: String) throws -> RegistrySecret? {
        let value = try raw(name).flatMap { $0.value.isEmpty ? nil : $0 }
        let path = try raw(file)
        if let value, try layerIndex(name) ?? .max <= layerIndex(file) ?? .max {
            return RegistrySecret(value.value)
        }
        guard let path else { return nil }
        let trimmed = path.value.trimmingCharacters(in: .whitespaces)
        guard let text = try? String(contentsOfFile: trimmed, encoding: .utf8) else {
            throw error(file, value: trimmed)
        }
        let secret = RegistrySecret(text)
        guard !secret.isEmpty else {
            throw ConfigError(
                key: file, source: path.source, value: trimmed,
                expected: "a file holding the secret (this one is empty)")
        }
        return secret
    }
}
