import Foundation
import Logging
import PlatformClient
import SyncCore
import Synchronization
import Testing

@testable import ContactSyncCLI

/// Personal data, terminal escapes and configuration mistakes, as an attacker or a tired
/// operator would produce them.
@Suite struct HostileOutputTests {
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
        var joined: String { all.withLock { $0.joined(separator: "\n") } }
    }

    func log(_ message: String, format: LineLogHandler.Format = .json, pii: Bool = false) -> String {
        let lines = Lines()
        let handler = LineLogHandler(
            label: "t", format: format, level: .info, pii: pii,
            write: { line in lines.all.withLock { $0.append(line) } })
        Logger(label: "t") { _ in handler }.warning("dead-lettered", metadata: ["error": "\(message)"])
        return lines.joined
    }

    /// Malformed phones and emails match no phone or email pattern; they are masked because
    /// the decoder marks the member's value as personal, whatever it looks like.
    @Test(arguments: [
        ("phone", "+55 (82) 99331-1122 x"), ("phone", "82 9 9331 1122 ramal 5"), ("whatsapp", "82 9 9331 1122 ramal 5"),
        ("email", "maria_silva@@example.com"),
    ])
    func malformedPersonalValuesAreMaskedInLogs(member: String, value: String) throws {
        let decoder = EventDecoder(configuration: DecoderConfiguration())
        let json =
            #"{"id": "e", "type": "customer.updated", "occurred_at": "2026-11-24T10:00:00Z", "data": {"id": "c", "\#(member)": "\#(value)"}}"#
        let outcome = decoder.decode(InboundRecord(topic: "customers", key: nil, value: Array(json.utf8)))
        guard case .reject(let rejection) = outcome else {
            Issue.record("not rejected: \(outcome)")
            return
        }
        let masked = log(rejection.markedMessage)
        #expect(!masked.contains(value), "\(masked)")
        #expect(!masked.contains(String(value.dropFirst())), "\(masked)")
        #expect(log(rejection.markedMessage, pii: true).contains(value), "--log-pii shows it")
        #expect(
            rejection.message.contains(value), "the dead letter's own message keeps it (the record holds it anyway)")
    }

    @Test func escapeSequencesAreShownNotObeyed() {
        let hostile = "cus_1\u{1B}]0;pwned\u{07}\u{1B}[2J\u{202E}gnp.exe"
        let text = log(hostile, format: .text)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E })
        #expect(text.contains(#"cus_1\u{1B}]0;pwned\u{7}\u{1B}[2J\u{202E}gnp.exe"#))
        #expect(LogText.escaped("line\nbreak") == #"line\u{A}break"#)
    }

    func load(yaml: String? = nil, environment: [String: String] = [:], file: String? = nil) async throws -> Settings {
        var path = file
        if let yaml {
            path = NSTemporaryDirectory() + "cs-\(UUID()).yaml"
            try yaml.write(toFile: path!, atomically: true, encoding: .utf8)
        }
        return try await SettingsLoader(environment: environment, configFile: path).load()
    }

    func configError(yaml: String? = nil, file: String? = nil) async -> String {
        do {
            _ = try await load(yaml: yaml, file: file)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func aConfigFileThatIsADirectoryOrBinaryIsNamed() async throws {
        #expect(
            await configError(file: NSTemporaryDirectory())
                == "config error: config = \"\(NSTemporaryDirectory())\" (from flag --config): expected a YAML file, not a directory"
        )
        let binary = NSTemporaryDirectory() + "cs-\(UUID()).yaml"
        try Data([0x00, 0xFF, 0xFE, 0x01]).write(to: URL(fileURLWithPath: binary))
        #expect(
            await configError(file: binary)
                == "config error: config = \"\(binary)\" (from flag --config): expected a UTF-8 YAML text file (this one is binary)"
        )
    }

    @Test func aYAMLValueOfTheWrongShapeOrAnUnknownKeyIsRefused() async throws {
        let shape = await configError(yaml: "max_in_flight:\n  nested: 5\n")
        #expect(shape.hasPrefix("config error: max_in_flight = \"(a mapping)\" (from file "), "\(shape)")
        #expect(shape.hasSuffix("expected a single value: a whole number from 1 to 10000"), "\(shape)")
        #expect(await configError(yaml: "max_in_fligth: 5\n").contains("max_in_fligth is not a setting"))
        #expect(await configError(yaml: "max_in_fligth: 5\n").contains("did you mean max_in_flight?"))
        #expect(await configError(yaml: "platform:\n  tokn: hunter2-hunter2\n").contains("hunter2") == false)
        #expect(await configError(yaml: "platform:\n  url: http://x\n") == "no error")
    }

    @Test func anEmptyTokenDoesNotHideTheTokenFile() async throws {
        let file = NSTemporaryDirectory() + "cs-token-\(UUID())"
        try "from-the-file".write(toFile: file, atomically: true, encoding: .utf8)
        let settings = try await load(environment: [
            "CONTACT_SYNC_PLATFORM_TOKEN": "", "CONTACT_SYNC_PLATFORM_TOKEN_FILE": file,
        ])
        #expect(settings.platformToken?.redacted(in: "from-the-file") == "<redacted>")
    }
}
