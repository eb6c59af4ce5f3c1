import Foundation
import PlatformClient
import SyncCore
import SyncWorker
import Testing

@testable import ContactSyncCLI

/// `platform.workspaces` and `platform.workspace_from` (docs/configuration.md, "Several workspaces").
@Suite struct WorkspaceSettingsTests {
    func load(_ yaml: String, environment: [String: String] = [:]) async throws -> Settings {
        try await SettingsLoader(environment: environment, configFile: try temporaryFile(yaml)).load()
    }

    func refusal(_ yaml: String, environment: [String: String] = [:]) async -> String {
        do {
            _ = try await load(yaml, environment: environment)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test func eachWorkspaceHasItsOwnURLTokenFlavorBudgetAndGroups() async throws {
        let tokenFile = try temporaryFile("globex-s3cr3t\n", suffix: ".token")
        let settings = try await load(
            """
            platform:
              url: https://textit.com
              workspace_from: header:tenant
              workspaces:
                acme:
                  token: acme-s3cr3t
                  budget: {contacts: 60/m, v2: 120/m}
                  managed_groups: [Customers, VIP]
                globex:
                  url: https://flows.weni.ai
                  flavor: weni
                  token_file: \(tokenFile)
                  budget.contacts: 1200/m
                  paused: true
            """)
        #expect(settings.decoder.workspaceFrom == .header("tenant"))
        let byName = Dictionary(uniqueKeysWithValues: settings.workspaces.map { ($0.name, $0) })
        let acme = try #require(byName["acme"])
        let globex = try #require(byName["globex"])
        #expect(acme.platform.baseURL == "https://textit.com" && acme.flavor == .textit)
        #expect(acme.budgetContacts == RequestRate(requests: 60, per: .seconds(60)))
        #expect(acme.budgetV2 == RequestRate(requests: 120, per: .seconds(60)))
        #expect(acme.managedGroups == ["Customers", "VIP"])
        #expect(globex.platform.baseURL == "https://flows.weni.ai" && globex.flavor == .weni)
        #expect(globex.platform.token == APIToken("globex-s3cr3t"))
        #expect(globex.budgetV2 == PlatformFlavor.weni.defaultBudget, "the flavour's default")
        #expect(globex.paused && !acme.paused)
        let configuration = settings.workerConfiguration(untilCaughtUp: false)
        #expect(configuration.workspaces.map(\.name).sorted() == ["acme", "globex"])
        #expect(!settings.description.contains("s3cr3t"), "tokens never shown: \(settings.description)")
        #expect(settings.tokens.count == 2)
    }

    @Test func withoutWorkspacesTheSingleWorkspaceStays() async throws {
        let settings = try await load("platform:\n  url: https://textit.com\n  token: t\n")
        #expect(settings.workspaces.isEmpty && settings.decoder.workspaceFrom == nil)
    }

    @Test func anUnknownKeyOfAWorkspaceIsRefusedByName() async {
        let error = await refusal(
            "platform:\n  workspace_from: /tenant\n  workspaces:\n    acme:\n      url: https://textit.com\n      tokn: x\n"
        )
        #expect(error.contains("platform.workspaces.acme.tokn is not a setting"), "\(error)")
    }

    @Test func aWorkspaceNeedsAToken() async {
        let error = await refusal(
            "platform:\n  workspace_from: /tenant\n  workspaces:\n    acme:\n      url: https://textit.com\n")
        #expect(error.contains("platform.workspaces.acme.token is missing"), "\(error)")
    }

    @Test func twoWorkspacesCannotShareAToken() async {
        let error = await refusal(
            """
            platform:
              url: https://textit.com
              workspace_from: /tenant
              workspaces:
                acme: {token: same}
                globex: {token: same}
            """)
        #expect(error.contains("a token per workspace"), "\(error)")
        #expect(!error.contains("same"), "the token is not shown: \(error)")
    }

    @Test func workspacesAndTheSelectorGoTogether() async {
        let noSelector = await refusal("platform:\n  url: https://textit.com\n  workspaces:\n    acme: {token: a}\n")
        #expect(noSelector.contains("platform.workspace_from is missing"), "\(noSelector)")
        let noWorkspaces = await refusal(
            "platform:\n  url: https://textit.com\n  token: t\n",
            environment: ["CONTACT_SYNC_PLATFORM_WORKSPACE_FROM": "/tenant"])
        #expect(noWorkspaces.contains("platform.workspaces is missing"), "\(noWorkspaces)")
        #expect(noWorkspaces.contains("env CONTACT_SYNC_PLATFORM_WORKSPACE_FROM"), "\(noWorkspaces)")
    }

    @Test func aBadSelectorNamesTheSettingAndItsSource() async {
        let error = await refusal(
            "platform:\n  url: https://textit.com\n  workspace_from: tenant\n  workspaces:\n    acme: {token: a}\n")
        #expect(error.contains("platform.workspace_from = \"tenant\""), "\(error)")
        #expect(error.contains(": platform.workspace_from)"), "the file and key: \(error)")
        #expect(error.contains("header:<name>"), "\(error)")
    }

    @Test func aBadWorkspaceNameIsRefused() async {
        let error = await refusal(
            "platform:\n  url: https://textit.com\n  workspace_from: /t\n  workspaces:\n    \"a b\": {token: a}\n")
        #expect(error.contains("a workspace name of letters"), "\(error)")
    }
}
