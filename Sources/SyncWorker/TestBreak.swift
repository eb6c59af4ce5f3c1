import Foundation

/// Deliberate breaks for the chaos suite's negative controls: a scenario must fail against a
/// worker that has one. Debug builds only read `CONTACT_SYNC_TEST_BREAK` (comma-separated
/// names); release builds have none, whatever the environment says.
enum TestBreak: String, CaseIterable, Sendable {
    /// Every change applies: no duplicate or stale skip.
    case noGuard = "no_guard"
    /// A record counts as done as soon as it is fetched, so its offset commits before it is applied.
    case commitBeforeApply = "commit_before_apply"
    /// Any transient failure (5xx, 429, timeout) dead-letters the event at once.
    case dlqOn5xx = "dlq_on_5xx"
    /// A partition's store is opened but never read up to the versions topic's end: the guard
    /// knows only what the file held (nothing, once it was deleted or rebuilt).
    case noRestore = "no_restore"
    /// What the previous owner of a partition finished past its committed offset (the commit's
    /// metadata) is done again.
    case ignoreCommitMetadata = "ignore_commit_metadata"
    /// A change that would write the contact's last image again is written anyway.
    case noDigest = "no_digest"

    static let active: Set<TestBreak> = {
        #if DEBUG
            let names = ProcessInfo.processInfo.environment["CONTACT_SYNC_TEST_BREAK"] ?? ""
            return Set(names.split(separator: ",").compactMap { TestBreak(rawValue: String($0)) })
        #else
            return []
        #endif
    }()

    static func on(_ kind: TestBreak) -> Bool { active.contains(kind) }
}
