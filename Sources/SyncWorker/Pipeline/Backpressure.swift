/// When to stop fetching: past a number of entities with pending records, or past an
/// estimate of their memory, and not again until both are below half (each resume makes
/// librdkafka fetch again what the pause dropped, so the state must not flap).
///
/// Bounded by entities and bytes rather than by a count of records: while calls wait for the
/// platform's budget, many records of one entity fold into one call, and they should.
struct Backpressure: Sendable, Equatable {
    let maxEntities: Int
    let maxBytes: Int
    private(set) var isFull = false

    init(maxEntities: Int, maxBytes: Int) {
        self.maxEntities = max(1, maxEntities)
        self.maxBytes = max(1, maxBytes)
    }

    /// Updates the state from the current load; answers whether fetching should pause.
    mutating func update(entities: Int, bytes: Int) -> Bool {
        if entities > maxEntities || bytes > maxBytes {
            isFull = true
        } else if isFull && entities <= maxEntities / 2 && bytes <= maxBytes / 2 {
            isFull = false
        }
        return isFull
    }
}
