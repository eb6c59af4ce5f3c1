import ContactSyncTesting
import Foundation
import PlatformSandbox
import Testing

/// `contact-sync check` with several workspaces: each token verified on its own, each budget
/// printed, no token in the output.
@Suite(.serialized) struct WorkspaceCheckTests {
    @Test func checkVerifiesEveryWorkspacesTokenAndPrintsEachBudget() async throws {
        let h = try await WorkerHarness(partitions: 1, workspaces: [.named("acme"), .named("globex")])
        let config = try temporaryFile(
            """
            platform:
              workspace_from: header:tenant
              workspaces:
                acme: {token: \(WorkerHarness.token(ofWorkspace: "acme")), budget: {contacts: 60/m, v2: 120/m}}
                globex: {token: not-globex-SECRET, budget.contacts: 1200/m}
            """)
        let binary = try WorkerProcess(harness: h, group: "g-check", settings: ["CONTACT_SYNC_CONFIG": config])
        let output = try await binary.output(["check"])
        let text = output.stdout + output.stderr
        #expect(output.status == 1, "one workspace's token is refused: \(text)")
        #expect(text.contains("ok    workspace acme: textit; budget v2.contacts 60/m"), "\(text)")
        #expect(text.contains("ok    workspace globex: textit; budget v2.contacts 1200/m"), "\(text)")
        #expect(text.contains("ok    workspace acme \(h.sandbox.baseURL): reachable, token accepted"), "\(text)")
        #expect(!text.contains("ok    platform:"), "no budget line for the unused single workspace: \(text)")
        #expect(text.contains("FAIL  workspace globex \(h.sandbox.baseURL):"), "\(text)")
        #expect(!text.contains("SECRET") && !text.contains(WorkerHarness.token(ofWorkspace: "acme")), "\(text)")
        await h.shutdown()
    }
}
