import Foundation
import PlatformClient

/// What `contact-sync check` can tell from the configuration alone, before any broker or platform
/// call: the problems (reported first, and nothing is reached until they are fixed, so a missing
/// `topics` does not wait behind 15 s of broker timeouts) and the warnings (a budget above the
/// flavour's, a flavour that does not match the URL, groups that are only ever added).
enum CheckFindings {
    /// Settings `run` would refuse, each with what to set.
    static func problems(_ settings: Settings) -> [String] {
        var problems: [String] = []
        if settings.topics.isEmpty {
            problems.append(
                "topics: none configured; set topics (CONTACT_SYNC_TOPICS or --topics), e.g. customers,leads")
        }
        do { _ = try settings.platformOptions() } catch { problems.append("\(error)") }
        return problems
    }

    /// Things that work but are probably not what was meant.
    static func warnings(_ settings: Settings) -> [String] {
        var warnings: [String] = []
        let flavorBudget = settings.flavor.defaultBudget
        for (scope, rate) in [("v2.contacts", settings.budgetContacts), ("v2", settings.budgetV2)] {
            guard !rate.isUnlimited, rate.perSecond > flavorBudget.perSecond * 1.001 else { continue }
            let times = rate.perSecond / flavorBudget.perSecond
            warnings.append(
                "platform budget \(scope) \(rate) is \(String(format: "%.1f", times))× \(settings.flavor.rawValue)'s default "
                    + "\(flavorBudget): unless the workspace's api_rates were raised that far, expect 429s; set "
                    + "platform.budget.* to the workspace's real rates")
        }
        if let url = settings.platformURL, let host = URL(string: url)?.host?.lowercased() {
            let guessed: PlatformFlavor? =
                host.hasSuffix("weni.ai") ? .weni : host.hasSuffix("textit.com") ? .textit : nil
            if let guessed, guessed != settings.flavor {
                warnings.append(
                    "platform.flavor is \(settings.flavor.rawValue) but platform.url \(host) looks like \(guessed.rawValue): "
                        + "set platform.flavor: \(guessed.rawValue) (field spelling and default budget follow it)")
            }
        }
        return warnings
    }

    /// The managed-groups choice, spelled out either way.
    static func managedGroups(_ settings: Settings) -> String {
        if settings.managedGroups.isEmpty {
            return "managed groups: none (platform.managed_groups is empty): groups events name are added to "
                + "contacts and never removed (a contact whose later event drops \"VIP\" stays in VIP); list the "
                + "groups the events own in platform.managed_groups to make membership follow the events"
        }
        return "managed groups: \(settings.managedGroups.joined(separator: ", ")): a contact's membership among "
            + "these follows its last event's groups; other groups events name are added, never removed"
    }

    /// `state.dir` must be a directory this process can create files in (the stores and their
    /// lock); `nil` when it is, or when unset (a temporary directory is used).
    static func stateDirectoryProblem(_ settings: Settings) -> String? {
        guard let dir = settings.stateDirectory else { return nil }
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if !manager.fileExists(atPath: dir, isDirectory: &isDirectory) {
            do { try manager.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                return "state.dir \(dir): does not exist and cannot be created (\(error.localizedDescription))"
            }
            return nil
        }
        guard isDirectory.boolValue else { return "state.dir \(dir): is a file, not a directory" }
        let probe = (dir as NSString).appendingPathComponent(".contact-sync-check-\(getpid())")
        guard manager.createFile(atPath: probe, contents: Data()) else {
            return "state.dir \(dir): not writable by this process (uid \(getuid())); fix its owner or "
                + "permissions (the pod's fsGroup), or mount a volume there"
        }
        try? manager.removeItem(atPath: probe)
        return nil
    }

    /// The versions topic must have as many partitions as each source topic (a source
    /// partition's versions live in the versions partition of the same number).
    static func partitionProblems(
        source: [(topic: String, partitions: Int)], versions: (topic: String, partitions: Int)
    )
        -> [String]
    {
        source.filter { $0.partitions != versions.partitions && $0.partitions > 0 }.map {
            "topic \($0.topic) has \($0.partitions) partitions but the versions topic \(versions.topic) has "
                + "\(versions.partitions): they must be equal; recreate the versions topic with \($0.partitions) "
                + "partitions (compacted), or repartition the sources"
        }
    }
}
