import AsyncHTTPClient
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

    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent(".build/debug/contact-sync")

    struct Output {
        var stdout = ""
        var stderr = ""
        var status: Int32 = 0
    }

    final class Child: @unchecked Sendable {
        let process = Process()
        let out = Pipe()
        let err = Pipe()

        init(_ arguments: [String], environment: [String: String]) throws {
            process.executableURL = SecretsTests.binary
            process.arguments = arguments
            process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }
            process.standardOutput = out
            process.standardError = err
            try process.run()
        }

        func finish() async -> Output {
            // Pipes are drained off the cooperative pool so that a chatty child cannot block.
            let (stdout, stderr) = await Task.detached { [out, err] in
                (
                    String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                    String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                )
            }.value
            process.waitUntilExit()
            return Output(stdout: stdout, stderr: stderr, status: process.terminationStatus)
        }
    }

    func run(_ arguments: [String], _ environment: [String: String]) async throws -> Output {
        try await Child(arguments, environment: environment).finish()
    }

    func leaks(_ text: String) -> [String] { Self.all.filter { text.contains($0) } }

    @Test func noSecretReachesAnyOutput() async throws {
        var logger = Logger(label: "secrets")
        logger.logLevel = .critical
        let cluster = try MockCluster(logger: logger)
        for topic in ["customers", "dlq", "g.versions"] { try cluster.createTopic(topic, partitions: 1) }
        let platform = try EchoPlatform()
        let producer = try KafkaProducer(properties: ["bootstrap.servers": cluster.bootstrapServers], logger: logger)
        try await producer.send(
            topic: "customers", key: Array("cus_1".utf8),
            value: Array(
                #"{"id": "e1", "type": "customer.updated", "occurred_at": "2026-11-24T10:00:00Z", "version": 1, "data": {"id": "cus_1", "name": "Ana"}}"#
                    .utf8))
        await producer.close()
        let httpPort = Int.random(in: 40_000..<50_000)
        let environment = [
            "CONTACT_SYNC_KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrapServers, "CONTACT_SYNC_KAFKA_GROUP_ID": "g",
            "CONTACT_SYNC_TOPICS": "customers", "CONTACT_SYNC_DLQ_TOPIC": "dlq",
            "CONTACT_SYNC_PLATFORM_URL": "http://127.0.0.1:\(platform.port)", "CONTACT_SYNC_PLATFORM_TOKEN": Self.token,
            "CONTACT_SYNC_KAFKA_SASL_PASSWORD": Self.kafkaPassword,  // known librdkafka key, unused on PLAINTEXT
            "CONTACT_SYNC_LOG_LEVEL": "debug", "CONTACT_SYNC_LOG_FORMAT": "text", "CONTACT_SYNC_HTTP_HOST": "127.0.0.1",
            "CONTACT_SYNC_HTTP_PORT": String(httpPort), "CONTACT_SYNC_RETRY_MAX_ATTEMPTS": "1",
        ]
        let oauth = ["--kafka-property", "sasl.oauthbearer.config=principal=ana secret=\(Self.oauthSecret)"]
        var seen: [String: String] = [:]

        // The worker: its record is refused with the token echoed in the body, so dead-lettered.
        let worker = try Child(["run"] + oauth, environment: environment)
        var deadLetters: [KafkaRecord] = []
        for _ in 0..<300 where deadLetters.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            let reader = try KafkaConsumer(
                properties: ["bootstrap.servers": cluster.bootstrapServers, "group.id": "r-\(UUID())"], logger: logger)
            deadLetters = try await TopicReader(consumer: reader, topic: "dlq").readAll()
            await reader.close()
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
            let inspect = try await run(["dlq", "inspect", "--show-value"] + format + oauth, environment)
            seen["dlq inspect \(format) stdout"] = inspect.stdout
            seen["dlq inspect \(format) stderr"] = inspect.stderr
        }
        let check = try await run(["check"] + oauth, environment)
        seen["check stdout"] = check.stdout + check.stderr

        // Misspelled and unknown keys, and a URL carrying credentials: refused or reported, never echoed.
        let misspelled = try await run(
            ["check"], environment.merging(["CONTACT_SYNC_KAFKA_SASL_PASWORD": Self.misspelledPassword]) { $1 })
        seen["check, misspelled kafka key"] = misspelled.stdout + misspelled.stderr
        let unknownFlag = try await run(["check", "--set", "platform.tokn=\(Self.misspelledToken)"], environment)
        seen["check, unknown --set key"] = unknownFlag.stdout + unknownFlag.stderr
        #expect(unknownFlag.status == 2)
        #expect(unknownFlag.stderr.contains("did you mean platform.token?"))
        let url = "http://ana:\(Self.urlPassword)@127.0.0.1:\(platform.port)/?token=\(Self.urlToken)"
        let withURL = try await run(["check", "--platform-url", url], environment)
        seen["check, credentials in the URL"] = withURL.stdout + withURL.stderr
        let badURL = try await run(
            ["run", "--platform-url", "ftp://ana:\(Self.urlPassword)@x/?token=\(Self.urlToken)"], environment)
        seen["run, bad URL"] = badURL.stdout + badURL.stderr

        for (channel, text) in seen.sorted(by: { $0.key < $1.key }) {
            #expect(leaks(text).isEmpty, "\(channel) leaks \(leaks(text))")
        }
        #expect(seen["run stderr"]?.contains("dead-lettered") == true, "the channels were really exercised")
        #expect(seen["check, misspelled kafka key"]?.contains("sasl.pasword") == true)
        platform.stop()
    }
}
