import Kafka
import PlatformSandbox
import SyncCore

/// One scenario's result line: what went in, and what the platform and the dead-letter topic hold.
struct Verdict {
    var scenario: String
    var events = 0
    var lost = 0
    var duplicated = 0
    var deadLettered = 0
    var badExpected = 0
    /// Good events dead-lettered, dead letters without a reason header, or with the wrong reason.
    var wronglyDeadLettered = 0
    var wrongFinal = 0
    var caughtUp = true
    /// Why the scenario's fault did not overlap the work (empty: it did). A scenario whose fault
    /// did not bite proves nothing, so it fails.
    var didNotBite: [String] = []
    /// Judgements a scenario adds beyond the end state (e.g. the rolling deploy's writes, idle
    /// time and dead letters per record), each a sentence saying what was measured against what.
    var failures: [String] = []
    var note = ""
    /// The first few differences, to read when it fails.
    var examples: [String] = []

    var passed: Bool {
        lost == 0 && duplicated == 0 && wrongFinal == 0 && wronglyDeadLettered == 0 && deadLettered == badExpected
            && caughtUp && didNotBite.isEmpty && failures.isEmpty
    }

    /// Records that the fault did not bite unless `condition` holds.
    mutating func require(_ condition: Bool, _ what: String) {
        if !condition { didNotBite.append(what) }
    }

    /// Fails the verdict unless `condition` holds: a judgement of the scenario's own.
    mutating func check(_ condition: Bool, _ what: String) {
        if !condition { failures.append(what) }
    }

    mutating func example(_ text: String) {
        if examples.count < 3 { examples.append(text) }
    }

    /// Compares the end state with the traffic: every entity is absent or holds every member of
    /// its newest event, each ext: URN belongs to one contact, and each bad record is in the
    /// dead-letter topic with the reason the decoder gives that input, at the decode stage.
    static func judge(
        _ scenario: String, traffic: Traffic, state: SandboxState, deadLetters: [KafkaRecord], caughtUp: Bool
    ) -> Verdict {
        var verdict = Verdict(
            scenario: scenario, events: traffic.records.count, badExpected: traffic.badCount, caughtUp: caughtUp)
        var byURN: [String: Int] = [:]
        for contact in state.contacts {
            for urn in contact.urns where urn.hasPrefix("ext:") { byURN[urn, default: 0] += 1 }
        }
        verdict.duplicated =
            byURN.values.reduce(0) { $0 + $1 - 1 }
            + state.contacts.filter { !$0.urns.contains { $0.hasPrefix("ext:") } }.count
        for (key, final) in traffic.finals.sorted(by: { $0.key < $1.key }) {
            let contact = state.contact(urn: "ext:\(key)")
            switch (final, contact) {
            case (.absent, nil): break
            case (.absent, let contact?):
                verdict.wrongFinal += 1
                verdict.example("\(key): must be absent, holds \(contact.name ?? "-")")
            case (.present, nil):
                verdict.lost += 1
                verdict.example("\(key): lost")
            case (.present(let expected), let contact?):
                let actual = Traffic.Contact(
                    name: contact.name ?? "", language: contact.language ?? "", urns: Set(contact.urns),
                    groups: Set(contact.groups), fields: contact.fields.filter { ["round", "tier"].contains($0.key) })
                if actual != expected {
                    verdict.wrongFinal += 1
                    verdict.example("\(key): expected \(expected), holds \(actual)")
                }
            }
        }
        let unexpectedContacts = byURN.keys.filter { traffic.finals[String($0.dropFirst(4))] == nil }.count
        verdict.wrongFinal += unexpectedContacts

        // Dead letters are written at least once: a crash after the write and before the commit
        // writes it again. Count distinct records.
        let oracle = EventDecoder(configuration: DecoderConfiguration(defaultCountryCode: "55"))
        var bad: [[UInt8]: Int] = [:]
        var badKeys: [[UInt8]: String] = [:]
        for record in traffic.records where record.isBad {
            bad[record.value ?? [], default: 0] += 1
            badKeys[record.value ?? []] = record.key
        }
        var seen: [[UInt8]: Int] = [:]
        for letter in deadLetters {
            let header = { (name: String) in
                letter.headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
            }
            // A value too large to carry arrives as its first bytes plus a header with the original
            // size: judge the bad record it was cut from, the one of that size and those first bytes.
            var value = letter.value ?? []
            if let size = header("contactsync.value_truncated").flatMap(Int.init),
                let original = bad.keys.first(where: { $0.count == size && $0.starts(with: value) })
            {
                value = original
            }
            guard bad[value] != nil, let reason = header("contactsync.reason"), !reason.isEmpty else {
                verdict.wronglyDeadLettered += 1
                verdict.example(
                    "good record dead-lettered (\(header("contactsync.reason") ?? "no reason")): \(String(decoding: value.prefix(80), as: UTF8.self))"
                )
                continue
            }
            // The key as sent (a dead letter may carry a cut copy of an oversized one).
            let key = header("contactsync.key_truncated") == nil ? letter.key : badKeys[value].map { Array($0.utf8) }
            let inbound = InboundRecord(topic: "customers", partition: 0, offset: 0, key: key, value: value)
            guard case .reject(let rejection) = oracle.decode(inbound), rejection.reason.rawValue == reason,
                header("__connect.errors.stage") == "decode"
            else {
                verdict.wronglyDeadLettered += 1
                verdict.example(
                    "dead letter with reason \(reason) at stage \(header("__connect.errors.stage") ?? "-") for a different kind of input: \(String(decoding: value.prefix(80), as: UTF8.self))"
                )
                continue
            }
            seen[value, default: 0] += 1
        }
        verdict.deadLettered = seen.reduce(0) { $0 + min($1.value, bad[$1.key] ?? 0) }
        verdict.lost += verdict.badExpected - verdict.deadLettered
        let repeats = seen.reduce(0) { $0 + max(0, $1.value - (bad[$1.key] ?? 0)) }
        if repeats > 0 { verdict.note = "\(repeats) dead letters written twice (at least once)" }
        return verdict
    }
}
