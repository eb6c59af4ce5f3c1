import StateStore
import Testing

@Suite("State: the changelog position and the state directory")
struct BoundedStateTests {
    @Test("a write in flight holds the checkpoint back to where the store was when it started")
    func inFlightHoldsBack() {
        var position = ChangelogPosition(restored: 100)
        #expect(position.checkpoint == 100)
        let first = position.writing()
        let second = position.writing()
        position.stored(second, offset: 101)  // acknowledged before the first
        #expect(position.checkpoint == 100)
        position.stored(first, offset: 100)
        #expect(position.checkpoint == 102)
        let third = position.writing()
        position.abandoned(third)
        #expect(position.checkpoint == 102)
    }

    @Test("before any restore, a write in flight leaves no checkpoint at all")
    func nothingKnown() {
        var position = ChangelogPosition(restored: nil)
        let token = position.writing()
        #expect(position.checkpoint == nil)
        position.stored(token, offset: 7)
        #expect(position.checkpoint == 8)
    }

    @Test("a state directory is held by one process at a time")
    func lock() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let held = try StateDirectory(path: directory.path)
        #expect(throws: StoreError.self) { try StateDirectory(path: directory.path) }
        _ = held.path
    }
}
