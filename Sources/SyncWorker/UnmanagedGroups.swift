import Logging
import Synchronization

/// Says once per group, in the log, that the events name a group contact-sync does not manage:
/// contacts are added to it and never removed from it (a customer leaving "VIP" stays in VIP).
/// That is right for groups people own, a surprise for groups the events own, so the choice is
/// made visible where the operator looks instead of being a silent default.
final class UnmanagedGroups: Sendable {
    private let managed: Set<String>
    private let logger: Logger
    private let told = Mutex(Set<String>())

    /// - Parameter managed: lower-cased names (`platform.managed_groups`).
    init(managed: Set<String>, logger: Logger) {
        self.managed = managed
        self.logger = logger
    }

    /// Logs every group of `names` not managed and not logged before (bounded: a workspace has
    /// a few hundred groups at most, and only those events name are kept).
    func note(_ names: [String]) {
        let new = told.withLock { told in
            names.filter { !managed.contains($0.lowercased()) && told.insert($0.lowercased()).inserted }
        }
        for name in new {
            logger.notice(
                "events name a group that is not in platform.managed_groups: contacts are added to it, never removed",
                metadata: [
                    "group": "\(name)",
                    "to_change":
                        "list it in platform.managed_groups to make membership follow each contact's last event",
                ])
        }
    }
}
