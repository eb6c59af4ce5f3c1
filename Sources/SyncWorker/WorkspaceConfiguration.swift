public import PlatformClient

/// One workspace of a deployment that serves several (`platform.workspaces.<name>`): where its
/// platform is, the token that opens it, its flavour and its own budget. Events name theirs
/// through `DecoderConfiguration.workspaceFrom`.
public struct WorkspaceConfiguration: Sendable {
    /// The name events use (`acme`); metrics, logs and dead-letter headers carry it.
    public var name: String
    /// URL and token of this workspace (request timeout and connections as the worker's).
    public var platform: PlatformClient.Options
    public var flavor: PlatformFlavor
    /// This workspace's budget per throttle scope, shared by every instance of the group as the
    /// single workspace's is (each paces at the share of its assigned partitions).
    public var budgetContacts: RequestRate
    public var budgetV2: RequestRate
    public var managedGroups: [String]
    /// Paused by configuration (`platform.workspaces.<name>.paused`): no call is made to it;
    /// its records wait in their lanes as in an outage, and the other workspaces' flow.
    public var paused = false

    public init(
        name: String, platform: PlatformClient.Options, flavor: PlatformFlavor = .textit,
        budgetContacts: RequestRate = .unlimited, budgetV2: RequestRate = .unlimited, managedGroups: [String] = []
    ) {
        self.name = name
        self.platform = platform
        self.flavor = flavor
        self.budgetContacts = budgetContacts
        self.budgetV2 = budgetV2
        self.managedGroups = managedGroups
    }

    /// Whether `name` can be a workspace's name: it appears in entity keys, metric labels and
    /// headers, so letters, digits, `_`, `-` and `.` only, at most 64.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "_-.".unicodeScalars.contains($0)
            }
    }
}
