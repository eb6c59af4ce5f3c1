import SyncCore

/// Makes sure the fields and groups an event names exist, creating them once.
///
/// Cached (field key by label, group UUID by name, ignoring case as the platform does), with one
/// request in flight per name however many lanes ask at once. When a create answers "Must be
/// unique." another instance created it first: the registry re-reads instead of failing.
/// Failures are not cached, so the next event tries again.
public actor Registry {
    let client: PlatformClient
    private var fieldKeys: [String: String] = [:]          // key derived from the label → key
    private var groupUUIDs: [String: String] = [:]         // lower-cased name → UUID
    private var pendingFields: [String: Task<String, any Error>] = [:]
    private var pendingGroups: [String: Task<String, any Error>] = [:]

    public init(client: PlatformClient) {
        self.client = client
    }

    /// Reads every field and group once, so that most ensures cost no request.
    public func preload() async throws {
        for field in try await client.listFields() { fieldKeys[field.key] = field.key }
        for group in try await client.listGroups() { groupUUIDs[group.name.lowercased()] = group.uuid }
    }

    /// The key of the field labelled `label` (or whose key is `label`), created with `type` if missing.
    public func fieldKey(label: String, type: FieldType) async throws -> String {
        let key = FieldKey.key(forLabel: label)
        if let known = fieldKeys[key] { return known }
        if let problem = FieldKey.problem(withLabel: label) {
            throw PlatformError.validation(status: 400, body: #"{"label": ["\#(problem)"]}"# + " (field label \"\(label)\", checked before any call)")
        }
        if let pending = pendingFields[key] { return try await pending.value }
        let client = self.client
        let task = Task<String, any Error> {
            if let existing = try await client.listFields(key: key).first { return existing.key }
            do {
                return try await client.createField(label: label, type: type).key
            } catch let error as PlatformError where error.isNotUnique || error.status == 400 {
                if let existing = try await client.listFields(key: key).first { return existing.key }
                throw error
            }
        }
        pendingFields[key] = task
        defer { pendingFields[key] = nil }
        let resolved = try await task.value
        fieldKeys[key] = resolved
        return resolved
    }

    /// The UUID of the group named `name` (ignoring case), created if missing.
    public func groupUUID(name: String) async throws -> String {
        let folded = name.lowercased()
        if let known = groupUUIDs[folded] { return known }
        if let pending = pendingGroups[folded] { return try await pending.value }
        let client = self.client
        let task = Task<String, any Error> {
            if let existing = try await client.listGroups(name: name).first(where: { $0.name.lowercased() == folded }) {
                return existing.uuid
            }
            do {
                return try await client.createGroup(name: name).uuid
            } catch let error as PlatformError where error.isNotUnique {
                if let existing = try await client.listGroups(name: name).first(where: { $0.name.lowercased() == folded }) {
                    return existing.uuid
                }
                throw error
            }
        }
        pendingGroups[folded] = task
        defer { pendingGroups[folded] = nil }
        let resolved = try await task.value
        groupUUIDs[folded] = resolved
        return resolved
    }

    /// Forgets a cached group (e.g. after the platform said it no longer exists).
    public func forgetGroup(name: String) {
        groupUUIDs[name.lowercased()] = nil
    }
}
