import Kafka
import PlatformSandbox

/// One scenario's result line: what went in, and what the platform and the dead-letter topic hold.
struct Verdict {
    var scenario: String
    var events = 0
    var lost = 0
    var duplicated = 0
    var deadLettered = 0
    var badExpected = 0
    /// Good events dead-lettered, or dead letters without a reason header.
    var wronglyDeadLettered = 0
    var wrongFinal = 0
    var caughtUp = true
    var note = ""

    var passed: Bool {
        lost == 0 && duplicated == 0 && wrongFinal == 0 && wronglyDeadLettered == 0 && deadLettered == badExpected && caughtUp
    }

    /// Compares the end state with the traffic: every entity holds its last event or is absent,
    /// each ext: URN belongs to one contact, and each bad record is in the dead-letter topic.
    static func judge(_ scenario: String, traffic: Traffic, state: SandboxState, deadLetters: [KafkaRecord], caughtUp: Bool) -> Verdict {
        var verdict = Verdict(scenario: scenario, events: traffic.records.count, badExpected: traffic.badCount, caughtUp: caughtUp)
        var byURN: [String: Int] = [:]
        for contact in state.contacts { for urn in contact.urns where urn.hasPrefix("ext:") { byURN[urn, default: 0] += 1 } }
        verdict.duplicated = byURN.values.reduce(0) { $0 + $1 - 1 } + state.contacts.filter { !$0.urns.contains { $0.hasPrefix("ext:") } }.count
        for (key, final) in traffic.finals {
            let contact = state.contact(urn: "ext:\(key)")
            switch (final, contact) {
            case (.absent, nil): break
            case (.absent, _?): verdict.wrongFinal += 1
            case (.present, nil): verdict.lost += 1
            case (.present(let name, let round), let contact?):
                if contact.name != name || contact.fields["round"] != round { verdict.wrongFinal += 1 }
            }
        }
        let unexpectedContacts = byURN.keys.filter { traffic.finals[String($0.dropFirst(4))] == nil }.count
        verdict.wrongFinal += unexpectedContacts

        // Dead letters are written at least once: a crash after the write and before the commit
        // writes it again. Count distinct records.
        var bad: [[UInt8]: Int] = [:]
        for record in traffic.records where record.isBad { bad[record.value ?? [], default: 0] += 1 }
        var seen: [[UInt8]: Int] = [:]
        for letter in deadLetters {
            let value = letter.value ?? []
            let reason = letter.headers.first { $0.name == "contactsync.reason" }?.value
            guard bad[value] != nil, let reason, !reason.isEmpty else { verdict.wronglyDeadLettered += 1; continue }
            seen[value, default: 0] += 1
        }
        verdict.deadLettered = seen.reduce(0) { $0 + min($1.value, bad[$1.key] ?? 0) }
        verdict.lost += verdict.badExpected - verdict.deadLettered
        let repeats = seen.reduce(0) { $0 + max(0, $1.value - (bad[$1.key] ?? 0)) }
        if repeats > 0 { verdict.note = "\(repeats) dead letters written twice (at least once)" }
        return verdict
    }
}
