import PlatformClient
import SyncCore
import Synchronization

/// Gathers `contact_actions.json` work from every lane into calls of up to 100 contacts: 1,000
/// deletes cost 10 calls on the `v2` scope instead of 1,000 on `v2.contacts`.
///
/// - **One wait.** All keys (action, group) share one wait for the `v2` budget: when its ticket
///   is granted, the batch is formed then, from the fullest key that may go, so whatever queued
///   meanwhile rides along. Keys waiting side by side do not each spend a ticket on a few
///   contacts.
/// - **Filling.** While lanes still work toward the batcher (`feeding`: a lane holds a call slot,
///   or has `announce`d actions it has not handed in yet), a batch that is not full waits for
///   their actions, at most `hold` past its oldest action's arrival: in a backlog the lanes are
///   paced by the contacts scope, so a key would otherwise get one action per `v2` slot, one call
///   each. With nothing on its way, a lone action goes as soon as its ticket comes.
/// - **Refusals.** One unknown contact fails a whole call ("No such object: X"): the named ones
///   are answered `.unknownContact` and the rest are sent again. A 400 that names no contact is
///   narrowed by halving the batch, so one bad contact never fails the others.
actor ActionBatcher {
    enum Outcome: Sendable, Equatable {
        case done
        /// The platform does not know the contact (for `delete`: it is gone already).
        case unknownContact
    }

    struct Key: Hashable, Sendable {
        let action: ContactAction
        let group: String?
    }

    private struct Waiter: Sendable {
        let contact: String
        /// The change's budget: abandoned (its partition fenced at a revocation, or the worker
        /// stopping mid-retry) means the action must not be sent any more.
        let budget: RetryBudget
        let continuation: CheckedContinuation<Outcome, any Error>
        let arrived: ContinuousClock.Instant
    }

    private let client: PlatformClient
    private let gate: PlatformGate
    private let linger: Duration
    private let feeding: @Sendable () async -> Bool
    private var pending: [Key: [Waiter]] = [:]
    /// Actions announced by lanes that gave their call slot back and have not handed them in yet.
    private var announced = 0
    private var flushing = false
    private(set) var calls = 0
    /// Actions handed in so far.
    private(set) var received = 0

    /// - Parameter feeding: whether more actions may be on their way (the worker: a lane holds a
    ///   call slot); `false` makes every batch go at its ticket, as a lone action does.
    init(
        client: PlatformClient, gate: PlatformGate, linger: Duration = .milliseconds(50),
        feeding: @escaping @Sendable () async -> Bool = { false }
    ) {
        self.client = client
        self.gate = gate
        self.linger = linger
        self.feeding = feeding
    }

    /// Runs `action` on `contact` (a UUID or URN) in the next batch of its kind, unless
    /// `budget` is abandoned before the batch is sent: a revoked owner's delete that waited for
    /// the budget would otherwise land after the partition's new owner recreated the contact.
    /// - Parameter announced: the action was counted by `announce` (it is no longer on its way).
    /// - Throws: the platform's refusal of this contact, `RetriesExhausted`, `Abandoned`.
    func perform(
        _ action: ContactAction, contact: String, group: String? = nil, budget: RetryBudget, announced: Bool = false
    ) async throws -> Outcome {
        let key = Key(action: action, group: group)
        return try await withCheckedThrowingContinuation { continuation in
            received += 1
            if announced { self.announced -= 1 }
            pending[key, default: []].append(
                Waiter(contact: contact, budget: budget, continuation: continuation, arrived: .now))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    /// `count` actions are on their way from a lane about to give its call slot back: until they
    /// are handed in (`perform(announced: true)`), a batch that is not full waits for them as it
    /// would for the lane. Told first, so no batch goes the moment the slot is free without them.
    func announce(_ count: Int) {
        announced += count
    }

    /// Whether more actions may come: announced ones, or what the worker's lanes say.
    private func isFed() async -> Bool {
        if announced > 0 { return true }
        return await feeding()
    }

    /// The longest a batch that is not full waits for company while lanes feed the batcher: as
    /// long as the `v2` pacing takes for a full batch's contacts one call each, so no action waits
    /// longer than the last of a hundred unbatched ones would (at least `linger`, for an
    /// unlimited scope). It scales with the budget: 5 s at 1,200/min, 100 s at TextIt's 3,600/h.
    private func hold() async -> Duration {
        max(linger, await gate.budget(.v2).spacing * PlatformClient.maxContactsPerAction)
    }

    /// The one flush loop of all keys: runs while anything waits.
    private func flush() async {
        try? await Task.sleep(for: linger)
        while true {
            withdrawAbandoned()
            guard !pending.isEmpty else { break }
            let hold = await hold()
            guard due(feeding: await isFed(), hold: hold) != nil else {
                // Nothing may go yet: look again when a key may have filled, the lanes may have
                // gone idle, or the oldest action's hold ends. No ticket is held meanwhile.
                let holdEnds = pending.values.compactMap { $0.first?.arrived }.min().map { $0 + hold } ?? .now
                try? await Task.sleep(until: min(holdEnds, .now + linger))
                continue
            }
            let ticket: ScopeBudget.Ticket
            do {
                ticket = try await gate.budget(.v2).acquire()
            } catch {
                let all = pending
                pending = [:]
                for waiting in all.values { fail(waiting, with: error) }
                continue
            }
            // The batch is formed now that the ticket is granted: what queued meanwhile rides along.
            withdrawAbandoned()
            guard let key = due(feeding: await isFed(), hold: hold) else {
                await gate.budget(.v2).release(ticket)  // every waiter withdrawn meanwhile
                continue
            }
            let batch = take(key)
            Task { await self.send(batch, key, ticket: ticket) }
        }
        flushing = false
    }

    /// The key whose batch goes on the next ticket: the fullest of those that may go (full, its
    /// hold over, or nothing on its way to join it), the oldest first among equals.
    private func due(feeding: Bool, hold: Duration) -> Key? {
        let now = ContinuousClock.now
        let limit = PlatformClient.maxContactsPerAction
        var best: (key: Key, size: Int, since: ContinuousClock.Instant)?
        for (key, waiting) in pending {
            guard let oldest = waiting.first?.arrived else { continue }
            let size = min(waiting.count, limit)
            guard size == limit || !feeding || now - oldest >= hold else { continue }
            if let chosen = best, chosen.size > size || (chosen.size == size && chosen.since <= oldest) { continue }
            best = (key, size, oldest)
        }
        return best?.key
    }

    /// Up to a batch of `key`'s waiters, oldest first.
    private func take(_ key: Key) -> [Waiter] {
        let waiting = pending[key] ?? []
        let batch = Array(waiting.prefix(PlatformClient.maxContactsPerAction))
        let rest = waiting.dropFirst(batch.count)
        pending[key] = rest.isEmpty ? nil : Array(rest)
        return batch
    }

    /// Answers `Abandoned` to the waiters whose change may not be sent any more.
    private func withdrawAbandoned() {
        for (key, waiting) in pending {
            let (withdrawn, kept) = waiting.partitioned { $0.budget.isAbandoned }
            guard !withdrawn.isEmpty else { continue }
            fail(withdrawn, with: Abandoned())
            pending[key] = kept.isEmpty ? nil : kept
        }
    }

    /// Sends one batch, answering every waiter in it.
    private func send(_ batch: [Waiter], _ key: Key, ticket: ScopeBudget.Ticket?) async {
        guard !batch.isEmpty else {
            if let ticket { await gate.budget(.v2).release(ticket) }
            return
        }
        let client = self.client
        // Every attempt, retries included, sends only the waiters still held: a retry after a
        // revocation fenced some must not land their actions after the new owner's writes.
        let sent = Mutex<Set<Int>>([])
        do {
            calls += 1
            try await gate.call(.v2, RetryBudget(limit: gate.retry.maxElapsed), ticket: ticket) {
                let live = batch.indices.filter { !batch[$0].budget.isAbandoned }
                guard !live.isEmpty else { throw Abandoned() }
                sent.withLock { $0 = Set(live) }
                try await client.perform(key.action, contacts: live.map { batch[$0].contact }, group: key.group)
            }
            let included = sent.withLock { $0 }
            for (index, waiter) in batch.enumerated() {
                if included.contains(index) {
                    waiter.continuation.resume(returning: .done)
                } else {
                    waiter.continuation.resume(throwing: Abandoned())
                }
            }
        } catch let error as PlatformError where error.status == 400 {
            let unknown = Set(error.unknownObjects.map { $0.lowercased() })
            let (named, rest) = batch.partitioned { unknown.contains($0.contact.lowercased()) }
            if !named.isEmpty {
                for waiter in named { waiter.continuation.resume(returning: .unknownContact) }
                await send(rest, key, ticket: nil)
            } else if batch.count == 1 {
                batch[0].continuation.resume(throwing: error)
            } else {
                let half = batch.count / 2
                await send(Array(batch[..<half]), key, ticket: nil)
                await send(Array(batch[half...]), key, ticket: nil)
            }
        } catch {
            fail(batch, with: error)
        }
    }

    private func fail(_ batch: [Waiter], with error: any Error) {
        for waiter in batch { waiter.continuation.resume(throwing: error) }
    }
}

extension Array {
    /// The elements that match, and those that don't, each in order.
    func partitioned(by matches: (Element) -> Bool) -> (matching: [Element], rest: [Element]) {
        var matching: [Element] = []
        var rest: [Element] = []
        for element in self {
            if matches(element) { matching.append(element) } else { rest.append(element) }
        }
        return (matching, rest)
    }
}
