import AsyncHTTPClient
import ContactSyncTesting
import Foundation
import Kafka
import Logging
import NIOCore
import SyncCore
import Testing

/// Greps every output channel of the real binary for the API token and each Kafka secret, set
/// through known, unknown and misspelled keys: stdout, stderr (logs at debug), `/metrics`,
/// `/readyz`, `check`, the dead-letter topic's headers and values, `dlq inspect` as text and JSON.
@Suite(.serialized) struct SecretsTests {
    static let token = "tok-0123456789-SECRET"
    static let kafkaPassword = "kafka-pw-SECRET-2"
    static let oauthSecret = "oauth-SECRET-3"
    static let misspelledPassword = "miss-pw-SECRET-4"
    static let misspelledToken = "miss-tok-SECRET-5"
    static let urlPassword = "url-pw-SECRET-6"
    static let urlToken = "url-tok-SECRET-7"
    static let all = [token, kafkaPassword, oauthSecret, misspelledPassword, misspelledToken, urlPassword, urlToken]

    func leaks(_ text: String) -> [String] { Self.all.filter { text.contains($0) } }

    @Test func noSecretReachesAnyOutput() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let platform = try EchoPlatform()
        try await h.produce([
            event("customer.updated", id: "e1", entity: "cus_1", version: 1, data: #""name": "Ana""#)
        ])
        let httpPort = try unusedLoopbackPort()
        // The worker calls the echo platform, not the harness's sandbox.
        let binary = try WorkerProcess(
            harness: h, group: "g",
            settings: [
                "CONTACT_SYNC_PLATFORM_URL": "http://127.0.0.1:\(platform.port)",
                "CONTACT_SYNC_PLATFORM_TOKEN": Self.token,
                "CONTACT_SYNC_KAFKA_SASL_PASSWORD": Self.kafkaPassword,  // known librdkafka key, unused on PLAINTEXT
                "CONTACT_SYNC_LOG_LEVEL": "debug", "CONTACT_SYNC_LOG_FORMAT": "text",
                "CONTACT_SYNC_HTTP_PORT": String(httpPort), "CONTACT_SYNC_RETRY_MAX_ATTEMPTS": "1",
            ])
        let oauth = ["--kafka-property", "sasl.oauthbearer.config=principal=ana secret=\(Self.oauthSecret)"]
        var seen: [String: String] = [:]

        // The worker: its record is refused with the token echoed in the body, so dead-lettered.
        let worker = try binary.startCapturing(["run"] + oauth)
        // Its waits below are bounded; should one throw, the child does not outlive the test.
        defer { if worker.process.isRunning { WorkerProcess.killNine(worker.process) } }
        var deadLetters: [KafkaRecord] = []
        for _ in 0..<300 where deadLetters.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            deadLetters = try await h.deadLetters()
        }
        guard worker.process.isRunning else {
            let output = await worker.finish()
            Issue.record(
                "the worker exited with \(output.status) before its record was dead-lettered: \(output.stderr)")
            return
        }
        for path in ["/metrics", "/readyz"] {
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(httpPort)\(path)"), timeout: .seconds(5))
            seen[path] = String(buffer: try await response.body.collect(upTo: 1 << 20))
        }
        worker.process.interrupt()
        let workerOutput = await worker.finish()
        seen["run stdout"] = workerOutput.stdout
        seen["run stderr"] = workerOutput.stderr

        #expect(deadLetters.count == 1)
        let body = deadLetters.first?.header("contactsync.platform_body") ?? ""
        #expect(body.contains("Token <redacted>"), "the echo reached the dead letter, redacted: \(body)")
        for record in deadLetters {
            seen["dead-letter value"] = String(decoding: record.value ?? [], as: UTF8.self)
            seen["dead-letter headers"] = record.headers.map {
                "\($0.name)=\(String(decoding: $0.value ?? [], as: UTF8.self))"
            }.joined(separator: "\n")
        }
        for format in [[], ["--json"]] {
            let inspect = try await binary.output(["dlq", "inspect", "--show-value"] + format + oauth)
            seen["dlq inspect \(format) stdout"] = inspect.stdout
            seen["dlq inspect \(format) stderr"] = inspect.stderr
        }
        let check = try await binary.output(["check"] + oauth)
        seen["check stdout"] = check.stdout + check.stderr

        // Misspelled and unknown keys, and a URL carrying credentials: refused or reported, never echoed.
        let misspelled = try await binary.output(
            ["check"], extra: ["CONTACT_SYNC_KAFKA_SASL_PASWORD": Self.misspelledPassword])
        seen["check, misspelled kafka key"] = misspelled.stdout + misspelled.stderr
        let unknownFlag = try await binary.output(["check", "--set", "platform.tokn=\(Self.misspelledToken)"])
        seen["check, unknown --set key"] = unknownFlag.stdout + unknownFlag.stderr
        #expect(unknownFlag.status == 2)
        #expect(unknownFlag.stderr.contains("did you mean platform.token?"))
        let url = "http://ana:\(Self.urlPassword)@127.0.0.1:\(platform.port)/?token=\(Self.urlToken)"
        let withURL = try await binary.output(["check", "--platform-url", url])
        seen["check, credentials in the URL"] = withURL.stdout + withURL.stderr
        let badURL = try await binary.output(
            ["run", "--platform-url", "ftp://ana:\(Self.urlPassword)@x/?token=\(Self.urlToken)"])
        seen["run, bad URL"] = badURL.stdout + badURL.stderr

        for (channel, text) in seen.sorted(by: { $0.key < $1.key }) {
            #expect(leaks(text).isEmpty, "\(channel) leaks \(leaks(text))")
        }
        #expect(seen["run stderr"]?.contains("dead-lettered") == true, "the channels were really exercised")
        #expect(seen["check, misspelled kafka key"]?.contains("sasl.pasword") == true)
        platform.stop()
        await h.shutdown()
    }
}
