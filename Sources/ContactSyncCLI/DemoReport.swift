import Foundation
import PlatformSandbox
import SyncWorker

/// The demo's summary, for a person to read.
struct DemoReport {
    let events: Int
    let snapshot: WorkerSnapshot
    let stats: SandboxStats
    let state: SandboxState
    /// The workspace `stats` and `state` are of, and the others with theirs.
    var workspace: String? = nil
    var others: [(name: String, stats: SandboxStats, state: SandboxState)] = []
    let applyTime: Duration
    let totalTime: Duration

    var text: String {
        var lines: [String] = []
        let s = snapshot
        lines.append("Result")
        lines.append("  events in                 \(s.recordsIn)  (produced \(events))")
        lines.append(
            "  applied                   \(s.applied) platform writes: \(s.created) contacts created, \(s.updated) updated, \(s.deleted) deleted"
        )
        lines.append("  folded into those writes  \(s.coalesced) events (bursts of one contact coalesced)")
        lines.append(
            "  skipped                   \(s.skipped): \(s.skippedDuplicate) exact redeliveries, \(s.skippedStale) late/stale events, \(s.skippedUnchanged) unchanged (the image already written), \(s.skippedTombstone) tombstones"
                + (s.skippedDoneBefore > 0 ? ", \(s.skippedDoneBefore) done by the partition's previous owner" : "")
        )
        lines.append(
            "  dead-lettered             \(s.deadLetteredTotal)"
                + (s.deadLettered.isEmpty
                    ? ""
                    : ": "
                        + s.deadLettered.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(
                            separator: ", ")))
        lines.append("  retries                   \(s.retries)")
        lines.append("  caught up and committed   \(s.caughtUp ? "yes" : "NO")")
        lines.append("")
        lines.append(
            "Platform API calls\(workspace.map { " (workspace \($0))" } ?? ""): \(stats.total) (\(String(format: "%.2f", Double(stats.count(endpoint: "contacts.json")) / Double(max(1, s.recordsIn)))) contact calls per event)"
        )
        let width = stats.calls.map(\.endpoint.count).max() ?? 14
        for call in stats.calls.sorted(by: { ($0.endpoint, $0.method, $0.status) < ($1.endpoint, $1.method, $1.status) }
        ) {
            lines.append(
                "  \(call.method.padding(toLength: 6, withPad: " ", startingAt: 0)) \(call.endpoint.padding(toLength: width, withPad: " ", startingAt: 0)) \(call.status)  ×\(call.count)"
            )
        }
        lines.append("")
        lines.append(
            "Platform\(workspace.map { " workspace \($0)" } ?? "") now holds \(state.contacts.count) contacts, \(state.groups.count) groups (\(state.groups.map(\.name).sorted().joined(separator: ", "))), \(state.fields.count) fields (\(state.fields.map(\.key).sorted().joined(separator: ", "))). A few:"
        )
        for contact in state.contacts.sorted(by: { ($0.urns.first ?? "") < ($1.urns.first ?? "") }).prefix(5) {
            let urns = contact.urns.map { PIIMasker.mask($0) }.joined(separator: " ")
            let fields = contact.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                separator: " ")
            lines.append(
                "  \(contact.name ?? "-") · \(urns) · groups: \(contact.groups.joined(separator: "/")) · \(fields)")
        }
        if !others.isEmpty {
            lines.append("")
            lines.append("Other workspaces (same deployment, own token and budget; same keys, other contacts):")
            for other in others {
                let names = other.state.contacts.compactMap(\.name).sorted().prefix(3).joined(separator: ", ")
                lines.append(
                    "  \(other.name): \(other.state.contacts.count) contacts (\(names)…), \(other.stats.total) API calls"
                )
            }
        }
        lines.append("")
        lines.append(
            String(
                format: "Time: %.1f s in all, %.1f s for the worker to apply and commit everything.", totalTime.seconds,
                applyTime.seconds))
        return lines.joined(separator: "\n")
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
