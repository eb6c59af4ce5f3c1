/// What the sandbox's simulated flows do to contacts, as a trigger flow would on the platform.
///
/// Flows run on their own there: a trigger may put a contact in a group moments after it was
/// created. Tests and the chaos suite use this to check that a client leaves such groups alone.
public struct SandboxFlow: Sendable, Equatable, Codable {
    /// Every newly created contact (through `contacts.json`) is put in the group of this name,
    /// which is created when missing. `nil`: flows change nothing.
    public var groupOnCreate: String?

    public init(groupOnCreate: String? = nil) {
        self.groupOnCreate = groupOnCreate
    }

    public static let none = SandboxFlow()
}
