import Synchronization

/// Makes sure the fields and groups events name exist, creating them once.
///
/// Events name fields by key. The registry reads `fields.json` and `groups.json` once each
/// (paginated), then answers from memory; a missing field is created under the name that
/// derives its key on the configured flavour (`FieldNaming`), a missing group under its name.
/// One request in flight per name however many lanes ask at once. When a create is refused
/// because the name exists already (another instance, an agent), the registry reads the list
/// again instead of failing. Failures are not cached, so the next event tries again.
public actor Registry {
    /// How the registry's requests reach the platform: the worker passes them through its
    /// budget and retries; tests call directly.
    public typealias Caller = @Sendable (@escaping @Sendable () async throws -> Void) async throws -> Void

    let client: PlatformClient
    let flavor: PlatformFlavor
    let caller: Caller
    private var fieldKeys: Set<String>?
    private var groupUUIDs: [String: String]?  // lower-cased name → UUID
    private var pendingFields: [String: Task<String, any Error>] = [:]
    private var pendingGroups: [String: Task<String, any Error>] = [:]
    private var fieldRead: Task<Set<String>, any Error>?
    private var groupRead: Task<[String: String], any Error>?

    public init(client: PlatformClient, flavor: PlatformFlavor = .textit, caller: Caller? = nil) {
        self.client = client
        self.flavor = flavor
        self.caller = caller ?? { work in try await work() }
    }

    /// Reads every field and group once, so that most ensures cost no request.
    public func preload() async throws {
        _ = try await knownFields()
        _ = try await knownGroups()
    }

    /// The field `key`, created with `type` (under the name deriving `key`) if missing.
    /// - Throws: `FieldKeyProblem` before any call when no name derives `key` on this flavour;
    ///   the platform's error when it refuses the create.
    public func ensureField(key: String, type: FieldType) async throws -> String {
        if try await knownFields().contains(key) { return key }
        let name: String
        switch FieldNaming.name(forKey: key, flavor: flavor) {
        case .success(let derived): name = derived
        case .failure(let problem): throw problem
        }
        if let pending = pendingFields[key] { return try await pending.value }
        let task = Task<String, any Error> { try await self.createField(key: key, name: name, type: type) }
        pendingFields[key] = task
        defer { pendingFields[key] = nil }
        return try await task.value
    }

    /// The UUID of the group named `name` (ignoring case, as the platform does), created if missing.
    public func groupUUID(name: String) async throws -> String {
        let folded = name.lowercased()
        if let known = try await knownGroups()[folded] { return known }
        if let pending = pendingGroups[folded] { return try await pending.value }
        let task = Task<String, any Error> { try await self.createGroup(name: name) }
        pendingGroups[folded] = task
        defer { pendingGroups[folded] = nil }
        return try await task.value
    }

    /// Forgets a cached group (e.g. after the platform said it no longer exists).
    public func forgetGroup(name: String) {
        groupUUIDs?[name.lowercased()] = nil
    }

    // MARK: - Reads and creates

    private func createField(key: String, name: String, type: FieldType) async throws -> String {
        let client = self.client
        let spelling = flavor.fieldSpelling
        let created = Box<String>()
        do {
            try await caller {
                created.value = try await client.createField(label: name, type: type, spelling: spelling).key
            }
        } catch let error as PlatformError where error.status == 400 {
            // Made meanwhile by someone else ("must be unique"), or refused: the list decides.
            fieldKeys = try await readFields()
            if fieldKeys?.contains(key) == true { return key }
            throw error
        }
        let made = created.value ?? key
        fieldKeys?.insert(made)
        return made
    }

    private func createGroup(name: String) async throws -> String {
        let client = self.client
        let created = Box<String>()
        do {
            try await caller { created.value = try await client.createGroup(name: name).uuid }
        } catch let error as PlatformError where error.isNotUnique {
            groupUUIDs = try await readGroups()
            if let existing = groupUUIDs?[name.lowercased()] { return existing }
            throw error
        }
        let uuid = created.value!
        groupUUIDs?[name.lowercased()] = uuid
        return uuid
    }

    private func knownFields() async throws -> Set<String> {
        if let fieldKeys { return fieldKeys }
        if let fieldRead { return try await fieldRead.value }
        let task = Task<Set<String>, any Error> { try await self.readFields() }
        fieldRead = task
        defer { fieldRead = nil }
        let keys = try await task.value
        fieldKeys = keys
        return keys
    }

    private func knownGroups() async throws -> [String: String] {
        if let groupUUIDs { return groupUUIDs }
        if let groupRead { return try await groupRead.value }
        let task = Task<[String: String], any Error> { try await self.readGroups() }
        groupRead = task
        defer { groupRead = nil }
        let groups = try await task.value
        groupUUIDs = groups
        return groups
    }

    private func readFields() async throws -> Set<String> {
        let client = self.client
        let read = Box<[Field]>()
        try await caller { read.value = try await client.listFields() }
        return Set((read.value ?? []).map(\.key))
    }

    private func readGroups() async throws -> [String: String] {
        let client = self.client
        let read = Box<[Group]>()
        try await caller { read.value = try await client.listGroups() }
        var byName: [String: String] = [:]
        for group in read.value ?? [] { byName[group.name.lowercased()] = group.uuid }
        return byName
    }
}

/// Carries a result out of a `Caller` closure (which returns nothing, so any caller fits).
final class Box<Value: Sendable>: Sendable {
    private let stored = Mutex<Value?>(nil)
    var value: Value? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
