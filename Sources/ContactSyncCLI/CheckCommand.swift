import ArgumentParser
import Foundation
import Kafka
import Logging
import PlatformClient
import SyncCore
import SyncWorker

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
        var failures = 0
        func report(_ ok: Bool, _ line: String) {
            print("\(ok ? "ok  " : "FAIL")  \(line)")
            if !ok { failures += 1 }
        }
        // What the configuration alone says comes first; nothing is reached until it is complete.
        let problems = CheckFindings.problems(settings)
        for problem in problems { report(false, "configuration: \(problem)") }
        guard problems.isEmpty else {
            print("stop  brokers and platform not checked: complete the configuration first")
            throw ExitCode(2)
        }
        print("ok    configuration: \(settings)")
        // With several workspaces, each has its own line below; the single workspace's is unused.
        if settings.workspaces.isEmpty {
            print(
                "ok    platform: \(settings.flavor.rawValue); budget v2.contacts \(settings.budgetContacts) (\(Self.pace(settings.budgetContacts))), v2 \(settings.budgetV2) (\(Self.pace(settings.budgetV2))), shared by every instance of group \(settings.groupID) by partition share"
            )
        }
        for workspace in settings.workspaces {
            print(
                "ok    workspace \(workspace.name): \(workspace.flavor.rawValue); budget v2.contacts \(workspace.budgetContacts) (\(Self.pace(workspace.budgetContacts))), v2 \(workspace.budgetV2) (\(Self.pace(workspace.budgetV2)))"
            )
        }
        for warning in CheckFindings.warnings(settings) { print("warn  \(warning)") }
        print("note  \(CheckFindings.managedGroups(settings))")
        if let mapping = settings.mappingFile {
            print("ok    mapping file \(mapping): \(settings.decoder.topics.count) topic rules")
        }
        if let problem = CheckFindings.stateDirectoryProblem(settings) {
            report(false, problem)
        } else if let dir = settings.stateDirectory {
            report(true, "state.dir \(dir): writable")
        }
        var logger = Logger(label: "check")
        logger.logLevel = .critical
        await checkTopics(settings, logger: logger, report: report, say: print)
        if settings.workspaces.isEmpty {
            do {
                await checkToken(try settings.platformOptions(), "platform", logger: logger, report: report)
            } catch {
                report(false, "\(error)")
            }
        }
        // Every workspace's own token: one refused is that workspace's outage, not the others'.
        for workspace in settings.workspaces {
            await checkToken(workspace.platform, "workspace \(workspace.name)", logger: logger, report: report)
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// One `GET fields.json` with `options`' token: reachable, and the token accepted.
    private func checkToken(
        _ options: PlatformClient.Options, _ what: String, logger: Logger, report: (Bool, String) -> Void
    ) async {
        let client = PlatformClient(options: options, logger: logger)
        do {
            _ = try await client.listFields(key: "contact_sync_check")
            report(true, "\(what) \(options.baseURL): reachable, token accepted")
        } catch {
            report(false, "\(what) \(options.baseURL): \(error)")
        }
        try? await client.shutdown()
    }

    /// Each topic exists (with its partition count), and the versions topic has the sources'.
    private func checkTopics(
        _ settings: Settings, logger: Logger, report: (Bool, String) -> Void, say: (String) -> Void
    ) async {
        let admin: KafkaAdmin
        do {
            admin = try KafkaAdmin(
                properties: settings.kafka.merging(["socket.timeout.ms": "5000"]) { $1 }, groupID: settings.groupID,
                logger: logger)
        } catch {
            report(false, "kafka client: \(error)")
            return
        }
        let versions = settings.versionsTopic ?? "\(settings.groupID).versions"
        var counts: [String: Int] = [:]
        for topic in settings.topics + [settings.dlqTopic, versions] {
            do {
                // Listed, not named: naming a topic in a metadata request creates it on brokers that
                // auto-create (the dev-broker among them), and every name would then "exist".
                let partitions = try await admin.existingPartitions(of: topic, timeout: .seconds(5))
                counts[topic] = partitions.count
                report(
                    !partitions.isEmpty,
                    "topic \(topic): \(partitions.isEmpty ? "missing; create it" : "\(partitions.count) partitions")")
            } catch {
                report(false, "topic \(topic): \(error) (brokers \(settings.bootstrapServers))")
            }
        }
        await admin.close()
        if let count = counts[versions], count > 0 {
            let sources = settings.topics.compactMap { topic in counts[topic].map { (topic: topic, partitions: $0) } }
            let problems = CheckFindings.partitionProblems(source: sources, versions: (versions, count))
            for problem in problems { report(false, problem) }
            if problems.isEmpty, !sources.isEmpty {
                report(true, "versions topic \(versions): as many partitions as the source topics (\(count))")
            }
            say(
                "note  versions topic \(versions) must be compacted (cleanup.policy=compact); check with "
                    + "kafka-configs --describe --entity-type topics --entity-name \(versions)")
        }
    }

    /// `1.00 calls/s` for the whole workspace, or `unlimited`.
    static func pace(_ rate: RequestRate) -> String {
        rate.isUnlimited ? "no pacing" : String(format: "%.2f calls/s for the whole workspace", rate.perSecond)
    }
}
