import Foundation

/// A realistic mix of canonical events for the demo and `produce --sample`: creates, updates,
/// a burst, lead status changes, deletes, exact redeliveries, late (stale) events and a few bad
/// records. Keyed by entity, as producers should.
enum SampleEvents {
    struct Event {
        let topic: String
        let key: String
        let value: String
        /// The workspace the demo names in the `tenant` header (`produce --sample` sends none).
        var workspace = SampleEvents.firstWorkspace
    }

    static let firstNames = [
        "Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabi", "Hugo", "Iara", "João", "Kátia", "Lucas", "Marta",
    ]
    static let lastNames = ["Silva", "Souza", "Lima", "Costa", "Pereira", "Almeida", "Ribeiro", "Barros"]

    static func envelope(_ id: String, _ type: String, version: Int, minute: Int, data: String) -> String {
        #"{"id": "\#(id)", "type": "\#(type)", "occurred_at": "2026-11-24T10:\#(String(format: "%02d", minute % 60)):00Z", "version": \#(version), "source": "demo-crm", "data": {\#(data)}}"#
    }

    static func make(customers: Int = 30, leads: Int = 12) -> [Event] {
        var events: [Event] = []
        func name(_ n: Int) -> String { "\(firstNames[n % firstNames.count]) \(lastNames[n % lastNames.count])" }
        for n in 0..<customers {
            let id = "cus_\(1000 + n)"
            let groups = n % 4 == 0 ? #"["Customers", "VIP"]"# : #"["Customers"]"#
            events.append(
                Event(
                    topic: "customers", key: id,
                    value: envelope(
                        "evt-c-\(n)", "customer.created", version: 1, minute: n,
                        data:
                            #""id": "\#(id)", "name": "\#(name(n))", "language": "por", "phone": "+55829\#(String(format: "%08d", 93_310_000 + n))", "email": "\#(name(n).split(separator: " ")[0].lowercased())\#(n)@example.com", "groups": \#(groups), "fields": {"plan": "basic", "score": \#(n % 10), "signup_date": "2026-01-\#(String(format: "%02d", n % 28 + 1))T09:27:39-03:00"}"#
                    )))
        }
        for n in stride(from: 0, to: customers, by: 2) {
            let id = "cus_\(1000 + n)"
            events.append(
                Event(
                    topic: "customers", key: id,
                    value: envelope(
                        "evt-u-\(n)", "customer.updated", version: 2, minute: n + 1,
                        data:
                            #""id": "\#(id)", "fields": {"plan": "gold"}, "whatsapp": "55829\#(String(format: "%08d", 93_310_000 + n))""#
                    )))
        }
        // An exact redelivery of five updates (same event ids).
        for n in stride(from: 0, to: 10, by: 2) {
            let id = "cus_\(1000 + n)"
            events.append(
                Event(
                    topic: "customers", key: id,
                    value: envelope(
                        "evt-u-\(n)", "customer.updated", version: 2, minute: n + 1,
                        data:
                            #""id": "\#(id)", "fields": {"plan": "gold"}, "whatsapp": "55829\#(String(format: "%08d", 93_310_000 + n))""#
                    )))
        }
        // Late events: older than what was applied, they must not roll contacts back.
        for n in [2, 4, 6] {
            events.append(
                Event(
                    topic: "customers", key: "cus_\(1000 + n)",
                    value: envelope(
                        "evt-late-\(n)", "customer.updated", version: 1, minute: 0,
                        data:
                            #""id": "cus_\#(1000 + n)", "fields": {"plan": "trial"}"#)))
        }
        // A burst: ten quick edits of one customer fold into few calls.
        for v in 3...12 {
            events.append(
                Event(
                    topic: "customers", key: "cus_1001",
                    value: envelope(
                        "evt-burst-\(v)", "customer.updated", version: v, minute: v,
                        data:
                            #""id": "cus_1001", "fields": {"score": \#(v * 7)}"#)))
        }
        for n in 0..<leads {
            let id = "\(500 + n)"
            events.append(
                Event(
                    topic: "leads", key: id,
                    value: envelope(
                        "evt-l-\(n)", "lead.created", version: 1, minute: n,
                        data:
                            #""id": "\#(id)", "name": "\#(name(n + 5))", "phone": "+55119\#(String(format: "%08d", 88_880_000 + n))", "groups": ["Leads"], "status": "new""#
                    )))
            events.append(
                Event(
                    topic: "leads", key: id,
                    value: envelope(
                        "evt-ls-\(n)", "lead.status_changed", version: 2, minute: n + 1,
                        data:
                            #""id": "\#(id)", "status": "\#(["contacted", "qualified", "won"][n % 3])""#)))
        }
        // Deletes, and a stale update arriving after one of them.
        for n in [customers - 1, customers - 2] {
            events.append(
                Event(
                    topic: "customers", key: "cus_\(1000 + n)",
                    value: envelope(
                        "evt-d-\(n)", "customer.deleted", version: 9, minute: 30, data: #""id": "cus_\#(1000 + n)""#)))
        }
        events.append(
            Event(
                topic: "customers", key: "cus_\(1000 + customers - 1)",
                value: envelope(
                    "evt-zombie", "customer.updated", version: 3, minute: 31,
                    data:
                        #""id": "cus_\#(1000 + customers - 1)", "name": "Should stay deleted""#)))
        // Bad records: each ends in the dead-letter topic with its reason.
        events.append(
            Event(
                topic: "customers", key: "cus_bad1",
                value:
                    #"{"id": "evt-bad-1", "type": "customer.updated", "occurred_at": "2026-11-24T10:00:00Z", "data": {"id": "cus_bad1", "phone": "call me maybe"}}"#
            ))
        events.append(
            Event(
                topic: "customers", key: "cus_bad2",
                value:
                    #"{"id": "evt-bad-2", "type": "customer.updated", "occurred_at": "2026-11-24T10:00:00Z", "data": {"id": "cus_bad2", "language": "portuguese"}}"#
            ))
        events.append(
            Event(
                topic: "customers", key: "cus_bad3",
                value:
                    #"{"id": "evt-bad-3", "type": "customer.merged", "occurred_at": "2026-11-24T10:00:00Z", "data": {"id": "cus_bad3"}}"#
            ))
        events.append(
            Event(
                topic: "leads", key: "lead_bad4", value: #"{"id": "evt-bad-4", "type": "lead.created", "occurred_at": "#
            ))
        return events
    }
}
