extension ContactChange {
    /// Folds changes of one entity, oldest first, into one equivalent change: applying the
    /// result equals applying each in turn (later members win; upsert then delete is a delete;
    /// delete then upsert is a `recreate`: delete, then create with the later members only).
    /// The result carries the newest version and every event id.
    public static func merge(_ changes: [ContactChange]) -> ContactChange {
        precondition(!changes.isEmpty, "merge needs at least one change")
        var merged = changes[0]
        // One allocation for the ids, not a growth every few steps.
        merged.earlierEventIDs.reserveCapacity(changes.reduce(-1) { $0 + $1.earlierEventIDs.count + 1 })
        // Members are read in place by index: binding each change would copy all of it (ids,
        // URNs, patch) only to read a few members.
        for index in changes.indices.dropFirst() {
            precondition(changes[index].entityKey == merged.entityKey, "merge folds changes of one entity only")
            // The action is taken out of `merged` first, so the patch is overlaid in place
            // rather than copied (fields and all) on every step of a burst.
            let current = merged.action
            merged.action = .delete
            switch (current, changes[index].action) {
            case (.upsert(var base), .upsert(let later)):
                base.overlay(with: later)
                merged.action = .upsert(base)
            case (.recreate(var base), .upsert(let later)):
                base.overlay(with: later)
                merged.action = .recreate(base)
            case (_, .delete): merged.action = .delete
            case (.delete, .upsert(let later)), (_, .recreate(let later)): merged.action = .recreate(later)
            }
            merged.earlierEventIDs.append(merged.eventID)
            merged.earlierEventIDs += changes[index].earlierEventIDs
            merged.eventID = changes[index].eventID
            merged.version = VersionGuard.newer(changes[index].version, merged.version)
            merged.traceparent = changes[index].traceparent ?? merged.traceparent
        }
        return merged
    }
}
