import ArgumentParser
import Foundation
import Kafka
import Logging
import PlatformClient
import SyncCore

/// `contact-sync check`: is the configuration complete, and can this process reach everything?
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validates the configuration and mapping, and reaches the brokers, the topics and the platform.",
        discussion: """
            Prints one line per check, `ok` or what to fix; exits 1 if any failed.

            Examples:
              contact-sync check --config config.yaml
              CONTACT_SYNC_PLATFORM_TOKEN_FILE=/run/secrets/token contact-sync check --topics customers
            """
    )

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await loadOrExit(common)
        // Every line may quote a URL, a librdkafka error or a platform answer: redacted like logs.
        let clean = DLQInspectCommand.cleaner(settings, pii: common.logPII, escape: true)
        func print(_ line: String) { Swift.print(clean(line)) }
        print("ok    configuration: \(settings)")
        print(
            "ok    platform: \(settings.flavor.rawValue); budget v2.contacts \(settings.budgetContacts) (\(Self.pace(settings.budgetContacts))), v2 \(settings.budgetV2) (\(Self.pace(settings.budgetV2))), shared by every instance of group \(settings.groupID) by partition share; managed groups: \(settings.managedGroups.isEmpty ? "none (groups are only added)" : settings.managedGroups.joined(separator: ", "))"
        )
        if let mapping = settings.mappingFile {
            print("ok    mapping file \(mapping): \(settings.decoder.topics.count) topic rules")
        }
        var failures = 0
        func report(_ ok: Bool, _ line: String) {
            print("\(ok ? "ok  " : "FAIL")  \(line)")
            if !ok { failures += 1 }
        }
        var logger = Logger(label: "check")
        logger.logLevel = .critical
        do {
            let admin = try KafkaAdmin(
                properties: settings.kafka.merging(["socket.timeout.ms": "5000"]) { $1 }, groupID: settings.groupID,
                logger: logger)
            let versions = settings.versionsTopic ?? "\(settings.groupID).versions"
            for topic in settings.topics + [settings.dlqTopic, versions] {
                do {
                    let partitions = try await admin.partitions(of: topic, timeout: .seconds(5))
                    report(
                        !partitions.isEmpty,
                        "topic \(topic): \(partitions.isEmpty ? "missing; create it" : "\(partitions.count) partitions")"
                    )
                } catch {
                    report(false, "topic \(topic): \(error) (brokers \(settings.bootstrapServers))")
                }
            }
            await admin.close()
        } catch {
            report(false, "kafka client: \(error)")
        }
        if settings.topics.isEmpty { report(false, "topics: none configured (CONTACT_SYNC_TOPICS)") }
        do {
            let client = PlatformClient(options: try settings.platformOptions(), logger: logger)
            do {
                _ = try await client.listFields(key: "contact_sync_check")
                report(true, "platform \(settings.platformURL ?? ""): reachable, token accepted")
            } catch {
                report(false, "platform \(settings.platformURL ?? ""): \(error)")
            }
            try? await client.shutdown()
        } catch {
            report(false, "\(error)")
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// `1.00 calls/s` for the whole workspace, or `unlimited`.
    static func pace(_ rate: RequestRate) -> String {
        rate.isUnlimited ? "no pacing" : String(format: "%.2f calls/s for the whole workspace", rate.perSecond)
    }
}
