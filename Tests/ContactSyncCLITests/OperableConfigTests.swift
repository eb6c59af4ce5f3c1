import Foundation
import PlatformClient
import Testing

@testable import ContactSyncCLI

/// Configuration mistakes that used to pass silently (issue 26): each is refused or reported
/// with what to do.
@Suite struct OperableConfigTests {
    func load(_ environment: [String: String], flags: [String: String] = [:], file: String? = nil) async throws
        -> Settings
    {
        try await SettingsLoader(flags: flags, environment: environment, configFile: file).load()
    }

    @Test(arguments: [
        ("CONTACT_SYNC_TOPIC", "CONTACT_SYNC_TOPICS"),
        ("CONTACT_SYNC_MAX_INFLIGHT", "CONTACT_SYNC_MAX_IN_FLIGHT"),
        ("CONTACT_SYNC_PLATFORM_TOKENFILE", "CONTACT_SYNC_PLATFORM_TOKEN_FILE"),
        ("CONTACT_SYNC_KAFKA_GROUPID", "CONTACT_SYNC_KAFKA_GROUP_ID"),
    ])
    func aMisspelledVariableIsRefusedWithTheNearestOne(typo: String, meant: String) async throws {
        let error = await #expect(throws: ConfigError.self) {
            _ = try await load([typo: "s3cr3t-value", "CONTACT_SYNC_TOPICS": "a"])
        }
        let text = error?.description ?? ""
        #expect(text.contains("\(typo) is not a setting"), "\(text)")
        #expect(text.contains("did you mean \(meant)?"), "\(text)")
        #expect(!text.contains("s3cr3t-value"), "the value is never shown")
    }

    @Test func knownVariablesOfOtherKindsPass() async throws {
        let settings = try await load(
            [
                "CONTACT_SYNC_TOPICS": "a", "CONTACT_SYNC_KAFKA_SASL_MECHANISM": "PLAIN",
                "CONTACT_SYNC_SANDBOX_TOKEN": "dev", "CONTACT_SYNC_CONFIG_UNUSED_BY_TESTS_": "",
                // What Kubernetes gives every pod for a Service named contact-sync (enableServiceLinks).
                "CONTACT_SYNC_SERVICE_HOST": "10.0.0.1", "CONTACT_SYNC_SERVICE_PORT": "9090",
                "CONTACT_SYNC_SERVICE_PORT_METRICS": "9090", "CONTACT_SYNC_PORT": "tcp://10.0.0.1:9090",
                "CONTACT_SYNC_PORT_9090_TCP": "tcp://10.0.0.1:9090", "CONTACT_SYNC_PORT_9090_TCP_ADDR": "10.0.0.1",
                "CONTACT_SYNC_PORT_9090_TCP_PORT": "9090", "CONTACT_SYNC_PORT_9090_TCP_PROTO": "tcp",
                "CONTACT_SYNC_METRICS_SERVICE_HOST": "10.0.0.2",
            ].filter { $0.key != "CONTACT_SYNC_CONFIG_UNUSED_BY_TESTS_" })
        #expect(settings.kafkaProperties["sasl.mechanism"] == "PLAIN")
    }

    @Test func tokenFileErrorsNameThePathAndWhy() async throws {
        let dir = FileManager.default.temporaryDirectory.path
        let directory = await #expect(throws: ConfigError.self) {
            _ = try await load(["CONTACT_SYNC_PLATFORM_TOKEN_FILE": dir])
        }
        #expect(directory?.description.contains("\"\(dir)\"") == true, "\(String(describing: directory))")
        #expect(directory?.description.contains("not a directory") == true)
        let empty = try temporaryFile("\n", suffix: ".token")
        let emptyError = await #expect(throws: ConfigError.self) {
            _ = try await load(["CONTACT_SYNC_PLATFORM_TOKEN_FILE": empty])
        }
        #expect(emptyError?.description.contains("\(empty)") == true)
        #expect(emptyError?.description.contains("empty") == true)
    }

    @Test func checkFindsWhatIsMissingWithoutReachingAnything() async throws {
        let settings = try await load([:])
        let problems = CheckFindings.problems(settings)
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.first?.hasPrefix("topics: none configured") == true)
        #expect(problems.last?.contains("platform.url") == true)
    }

    @Test func aBudgetAboveTheFlavoursIsWarnedAbout() async throws {
        let env = ["CONTACT_SYNC_PLATFORM_URL": "https://flows.weni.ai", "CONTACT_SYNC_TOPICS": "a"]
        let fast = try await load(env.merging(["CONTACT_SYNC_RATE_LIMIT_PER_SECOND": "40"]) { $1 })
        let warnings = CheckFindings.warnings(fast)
        #expect(warnings.contains { $0.contains("v2.contacts 2400/m is 40.0× textit's default 3600/h") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("set platform.flavor: weni") }, "\(warnings)")
        let weni = try await load(env.merging(["CONTACT_SYNC_PLATFORM_FLAVOR": "weni"]) { $1 })
        #expect(CheckFindings.warnings(weni).isEmpty)
        let over = try await load(
            env.merging(["CONTACT_SYNC_PLATFORM_FLAVOR": "weni", "CONTACT_SYNC_PLATFORM_BUDGET_CONTACTS": "3600/h"]) {
                $1
            })
        #expect(CheckFindings.warnings(over).count == 1)
    }

    /// examples/contact-sync.yaml points at Weni: its flavour and budget must be Weni's.
    @Test func theExampleFileIsConsistentWithItsPlatform() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let example = root.appendingPathComponent("examples/contact-sync.yaml").path
        let settings = try await load(
            [:],
            flags: [
                "mapping_file": root.appendingPathComponent("examples/mappings.yaml").path, "platform.token": "t",
            ], file: example)
        #expect(settings.flavor == .weni)
        #expect(CheckFindings.warnings(settings).isEmpty, "\(CheckFindings.warnings(settings))")
        #expect(!settings.managedGroups.isEmpty)
    }

    @Test func theManagedGroupsChoiceIsSpelledOut() async throws {
        let none = CheckFindings.managedGroups(try await load([:]))
        #expect(none.contains("never removed"))
        let some = CheckFindings.managedGroups(try await load(["CONTACT_SYNC_PLATFORM_MANAGED_GROUPS": "VIP"]))
        #expect(some.hasPrefix("managed groups: VIP"))
    }

    @Test func anUnwritableStateDirectoryIsReported() async throws {
        let file = try temporaryFile("x")
        let settings = try await load(["CONTACT_SYNC_STATE_DIR": file])
        #expect(CheckFindings.stateDirectoryProblem(settings)?.contains("not a directory") == true)
        let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("cs-state-\(UUID())").path
        #expect(CheckFindings.stateDirectoryProblem(try await load(["CONTACT_SYNC_STATE_DIR": fresh])) == nil)
        if getuid() != 0 {  // root writes anywhere
            try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: fresh)
            let locked = CheckFindings.stateDirectoryProblem(try await load(["CONTACT_SYNC_STATE_DIR": fresh]))
            #expect(locked?.contains("not writable") == true, "\(String(describing: locked))")
        }
    }

    @Test func partitionCountsMustMatch() {
        let problems = CheckFindings.partitionProblems(
            source: [("customers", 6), ("leads", 3)], versions: ("g.versions", 6))
        #expect(problems.count == 1)
        #expect(problems.first?.contains("topic leads has 3 partitions") == true)
    }

    @Test func aPortInUseIsNamedWithItsSetting() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(bound == 0)
        #expect(listen(fd, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let error = #expect(throws: ConfigError.self) { try PortCheck.ensureFree(host: "127.0.0.1", port: port) }
        #expect(error?.description.contains("http.port = \"\(port)\"") == true, "\(String(describing: error))")
        #expect(error?.description.contains("another process listens on 127.0.0.1:\(port)") == true)
        #expect(throws: Never.self) { try PortCheck.ensureFree(host: "127.0.0.1", port: 0) }
    }
}
