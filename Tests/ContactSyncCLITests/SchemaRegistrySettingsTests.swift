import Foundation
import SchemaRegistry
import SyncWorker
import Testing

@testable import ContactSyncCLI

/// `schema_registry.*`: URL and credentials read together, half configurations refused with the
/// key to fix, secrets never shown.
@Suite struct SchemaRegistrySettingsTests {
    static let secret = "sr-s3cret-value"

    func load(_ env: [String: String]) async throws -> ContactSyncCLI.Settings {
        try await SettingsLoader(environment: env).load()
    }

    @Test func noURLNoRegistry() async throws {
        #expect(try await load([:]).schemaRegistry == nil)
        #expect(try await load([:]).workerConfiguration(untilCaughtUp: false).schemaRegistry == nil)
    }

    @Test func basicAuthFromAPasswordFileAndBearerFromTheEnvironment() async throws {
        let path = try temporaryFile("\(Self.secret)\n")
        let basic = try #require(
            try await load([
                "CONTACT_SYNC_SCHEMA_REGISTRY_URL": "https://registry.example.com/",
                "CONTACT_SYNC_SCHEMA_REGISTRY_USERNAME": "SR-KEY",
                "CONTACT_SYNC_SCHEMA_REGISTRY_PASSWORD_FILE": path,
            ]).schemaRegistry)
        #expect(basic.url == "https://registry.example.com")
        #expect(basic.credentials == .basic(username: "SR-KEY", password: RegistrySecret(Self.secret)))
        let settings = try await load([
            "CONTACT_SYNC_SCHEMA_REGISTRY_URL": "http://registry:8081",
            "CONTACT_SYNC_SCHEMA_REGISTRY_BEARER_TOKEN": Self.secret,
        ])
        #expect(settings.schemaRegistry?.credentials == .bearer(RegistrySecret(Self.secret)))
        #expect(settings.workerConfiguration(untilCaughtUp: false).schemaRegistry?.url == "http://registry:8081")
        #expect(!settings.description.contains(Self.secret), "\(settings)")
        #expect(settings.description.contains("schema_registry: http://registry:8081"))
    }

    @Test(arguments: [
        (["CONTACT_SYNC_SCHEMA_REGISTRY_URL": "registry:8081"], "schema_registry.url = \"registry:8081\""),
        (["CONTACT_SYNC_SCHEMA_REGISTRY_USERNAME": "u"], "schema_registry.url is missing"),
        (
            ["CONTACT_SYNC_SCHEMA_REGISTRY_URL": "http://r:8081", "CONTACT_SYNC_SCHEMA_REGISTRY_USERNAME": "u"],
            "schema_registry.password is missing"
        ),
        (
            [
                "CONTACT_SYNC_SCHEMA_REGISTRY_URL": "http://r:8081",
                "CONTACT_SYNC_SCHEMA_REGISTRY_PASSWORD": "sr-s3cret-value",
            ],
            "schema_registry.username is missing"
        ),
        (
            [
                "CONTACT_SYNC_SCHEMA_REGISTRY_URL": "http://r:8081", "CONTACT_SYNC_SCHEMA_REGISTRY_USERNAME": "u",
                "CONTACT_SYNC_SCHEMA_REGISTRY_PASSWORD": "sr-s3cret-value",
                "CONTACT_SYNC_SCHEMA_REGISTRY_BEARER_TOKEN": "sr-s3cret-value",
            ], "not both"
        ),
        (
            [
                "CONTACT_SYNC_SCHEMA_REGISTRY_URL": "http://r:8081",
                "CONTACT_SYNC_SCHEMA_REGISTRY_BEARER_TOKEN_FILE": "/nonexistent/token",
            ], "schema_registry.bearer_token_file = \"<redacted>\""
        ),
    ])
    func aHalfConfigurationNamesTheKeyToFix(_ env: [String: String], _ expected: String) async throws {
        let error = await #expect(throws: ConfigError.self) { _ = try await load(env) }
        let text = error?.description ?? ""
        #expect(text.contains(expected), "\(text)")
        #expect(!text.contains(Self.secret))
    }
}
