import ContactSyncTesting
import Foundation
import Logging
import PlatformClient
import PlatformSandbox
import SyncCore
import Synchronization
import Testing

@Suite struct ClientErrorTests {
    let ext = try! URN(parsing: "ext:err-1")

    @Test func aWrongTokenIsUnauthorizedAndNeverShown() async throws {
        try await ClientHarness.with { h in
            let secret = "wrong-token-5f2a9c"
            let capture = LogLines()
            let logger = capture.logger()
            let client = PlatformClient(
                options: .init(baseURL: h.sandbox.baseURL, token: APIToken(secret)), logger: logger)
            defer { Task { try? await client.shutdown() } }
            let error = await #expect(throws: PlatformError.self) {
                _ = try await client.upsert(byURN: ext, body: ContactWrite(name: .set("x")))
            }
            guard case .unauthorized(401, let detail) = error else {
                Issue.record("expected 401, got \(String(describing: error))")
                return
            }
            #expect(detail.contains("Invalid token."))
            #expect(error?.isTransient == false)
            let logged = capture.all
            let everything =
                "\(String(describing: error)) \(String(reflecting: error)) \(client.options.token) \(logged)"
            #expect(!logged.isEmpty, "the failure was logged")
            #expect(!everything.contains(secret))
        }
    }

    @Test func validationKeepsThePlatformsBody() async throws {
        try await ClientHarness.with { h in
            let error = await #expect(throws: PlatformError.self) {
                _ = try await h.client.upsert(byURN: ext, body: ContactWrite(language: .set("xxq")))
            }
            guard case .validation(400, let body) = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            #expect(
                body == #"{"language":["Not a valid ISO639-3 language code."]}"#,
                "the platform's own answer, kept whole")
        }
    }

    @Test func updatingAMissingContactIsNotFound() async throws {
        try await ClientHarness.with { h in
            let error = await #expect(throws: PlatformError.self) {
                _ = try await h.client.update(uuid: UUID().uuidString.lowercased(), body: ContactWrite(name: .set("x")))
            }
            #expect(error?.status == 404)
            #expect(error.map { if case .notFound = $0 { true } else { false } } == true)
        }
    }

    @Test func throttlingCarriesRetryAfter() async throws {
        try await ClientHarness.with(chaos: SandboxChaos(ratePerSecond: 1)) { h in
            var throttled: PlatformError?
            for index in 0..<20 where throttled == nil {
                do {
                    _ = try await h.client.upsert(byURN: URN(parsing: "ext:rate-\(index)"), body: ContactWrite())
                } catch let error as PlatformError { throttled = error }
            }
            #expect(throttled?.status == 429)
            #expect(throttled?.isTransient == true)
            let after = try #require(throttled?.retryAfter)
            #expect(after >= .seconds(1))
        }
    }

    @Test func serverErrorsAreTransientEvenAsHTMLPages() async throws {
        try await ClientHarness.with(chaos: SandboxChaos(failRate: 1)) { h in
            for index in 0..<6 {
                let error = await #expect(throws: PlatformError.self) {
                    _ = try await h.client.upsert(byURN: URN(parsing: "ext:5xx-\(index)"), body: ContactWrite())
                }
                #expect((500...599).contains(error?.status ?? 0))
                #expect(error?.isTransient == true)
                #expect(!(String(describing: error).contains("\n")), "descriptions stay on one line")
            }
        }
    }

    @Test func aSlowAnswerIsATimeout() async throws {
        try await ClientHarness.with(chaos: SandboxChaos(latencyMs: 1500), requestTimeout: .milliseconds(200)) { h in
            let error = await #expect(throws: PlatformError.self) {
                _ = try await h.client.upsert(byURN: ext, body: ContactWrite())
            }
            #expect(error == .timeout)
            #expect(error?.isTransient == true)
        }
    }

    @Test func aClosedPortIsUnreachable() async throws {
        // Bind a sandbox, learn its port, stop it: nothing listens there any more.
        let sandbox = try await Sandbox.start(SandboxOptions(token: "t"), logger: Logger(label: "closed"))
        let url = sandbox.baseURL
        await sandbox.shutdown()
        let client = PlatformClient(
            options: .init(baseURL: url, token: APIToken("t"), connectTimeout: .seconds(2)), logger: Logger(label: "c"))
        let error = await #expect(throws: PlatformError.self) {
            _ = try await client.contact(urn: ext)
        }
        try await client.shutdown()
        guard case .unreachable = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(error?.isTransient == true)
    }
}
