/// The demo's second workspace: one deployment serving two tenants (the `tenant` header names
/// each event's workspace). Some customer ids are the first workspace's too: the same key in
/// two workspaces is two contacts. One event names a workspace the demo does not serve, and is
/// dead-lettered (`unknown_workspace`).
extension SampleEvents {
    /// The workspace every event of `make` belongs to, and the second one.
    static let firstWorkspace = "acme"
    static let secondWorkspace = "globex"

    static func makeSecondWorkspace(customers: Int = 8) -> [Event] {
        var events: [Event] = []
        for n in 0..<customers {
            let id = "cus_\(1000 + n)"  // the first workspace's customers have these ids too
            let name = "\(firstNames[(n + 7) % firstNames.count]) \(lastNames[(n + 3) % lastNames.count])"
            events.append(
                Event(
                    topic: "customers", key: id,
                    value: envelope(
                        "evt-g-\(n)", "customer.created", version: 1, minute: n,
                        data:
                            #""id": "\#(id)", "name": "\#(name)", "language": "spa", "groups": ["Globex clients"], "fields": {"plan": "enterprise"}"#
                    ), workspace: secondWorkspace))
        }
        events.append(
            Event(
                topic: "customers", key: "cus_9000",
                value: envelope("evt-i-1", "customer.created", version: 1, minute: 0, data: #""id": "cus_9000""#),
                workspace: "initech"))
        return events
    }
}
