extension ContactChange {
    /// Folds changes of one entity, oldest first, into one equivalent change: applying the
    /// result equals applying each in turn (later members win; upsert then delete is a delete;
    /// delete then upsert is a `recreate`: delete, then create with the later members only).
    /// The result carries the newest version and every event id.
    public static func merge(_ changes: [ContactChange]) -> ContactChange {
        precondition(!changes.isEmpty, "merge needs at least one change")
        var merged = changes[0]
        for next in changes.dropFirst() {
            precondition(next.entityKey == merged.entityKey, "merge folds changes of one entity only")
            switch (merged.action, next.action) {
            case (.upsert(let base), .upsert(let later)): merged.action = .upsert(base.overlaid(with: later))
            case (.recreate(let base), .upsert(let later)): merged.action = .recreate(base.overlaid(with: later))
            case (_, .delete): merged.action = .delete
            case (.delete, .upsert(let later)), (_, .recreate(let later)): merged.action = .recreate(later)
            }
            merged.eventID = next.eventID
            merged.eventIDs += next.eventIDs
            if next.version.isOlder(than: merged.version) != true { merged.version = next.version }
            merged.traceparent = next.traceparent ?? merged.traceparent
        }
        return merged
    }
}
