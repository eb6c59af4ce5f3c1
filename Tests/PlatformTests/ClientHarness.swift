import Logging
import PlatformClient
import PlatformSandbox
import Synchronization

/// A fresh sandbox on an ephemeral port and a client pointed at it.
struct ClientHarness {
    static let token = "client-test-token-7c1e"

    let sandbox: Sandbox
    let client: PlatformClient

    static func with<T>(
        pageSize: Int = 250,
        chaos: SandboxChaos = .none,
        spelling: FieldSpelling = .nameType,
        requestTimeout: Duration = .seconds(10),
        logger: Logger? = nil,
        _ body: (ClientHarness) async throws -> T
    ) async throws -> T {
        var options = SandboxOptions(token: token, pageSize: pageSize)
        options.chaos = chaos
        var quiet = Logger(label: "client-test")
        quiet.logLevel = .error
        let sandbox = try await Sandbox.start(options, logger: quiet)
        let client = PlatformClient(
            options: .init(
                baseURL: sandbox.baseURL, token: APIToken(token), requestTimeout: requestTimeout,
                fieldSpelling: spelling),
            logger: logger ?? quiet
        )
        let harness = ClientHarness(sandbox: sandbox, client: client)
        do {
            let result = try await body(harness)
            try await client.shutdown()
            await sandbox.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            await sandbox.shutdown()
            throw error
        }
    }
}
