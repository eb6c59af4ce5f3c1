import PlatformClient
import SyncCore

/// Gathers `contact_actions.json` work from every lane into calls of up to 100 contacts: 1,000
/// deletes cost 10 calls on the `v2` scope instead of 1,000 on `v2.contacts`.
///
/// A batch is formed when its budget ticket is granted, so whatever arrived while it waited
/// rides along. One unknown contact fails a whole call ("No such object: X"): the named ones
/// are answered `.unknownContact` and the rest are sent again. A 400 that names no contact is
/// narrowed by halving the batch, so one bad contact never fails the others.
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

    private struct Waiter {
        let contact: String
        /// The change's budget: abandoned (its partition fenced at a revocation, or the worker
        /// stopping mid-retry) means the action must not be sent any more.
        let budget: RetryBudget
        let continuation: CheckedContinuation<Outcome, any Error>
    }

    private let client: PlatformClient
    private let gate: PlatformGate
    private let linger: Duration
    private var pending: [Key: [Waiter]] = [:]
    private var flushing: Set<Key> = []
    private(set) var calls = 0

    init(client: PlatformClient, gate: PlatformGate, linger: Duration = .milliseconds(50)) {
        self.client = client
        self.gate = gate
        self.linger = linger
    }

    /// Runs `action` on `contact` (a UUID or URN) in the next batch of its kind, unless
    /// `budget` is abandoned before the batch is sent: a revoked owner's delete that waited for
    /// the budget would otherwise land after the partition's new owner recreated the contact.
    /// - Throws: the platform's refusal of this contact, `RetriesExhausted`, `Abandoned`.
    func perform(_ action: ContactAction, contact: String, group: String? = nil, budget: RetryBudget)
        async throws -> Outcome
    {
        let key = Key(action: action, group: group)
        return try await withCheckedThrowingContinuation { continuation in
            pending[key, default: []].append(Waiter(contact: contact, budget: budget, continuation: continuation))
            if !flushing.contains(key) {
                flushing.insert(key)
                Task { await self.flush(key) }
            }
        }
    }

    private func flush(_ key: Key) async {
        try? await Task.sleep(for: linger)
        while let waiting = pending[key], !waiting.isEmpty {
            let ticket: ScopeBudget.Ticket
            do {
                ticket = try await gate.budget(.v2).acquire()
            } catch {
                fail(take(key, count: .max), with: error)
                continue
            }
            let batch = take(key, count: PlatformClient.maxContactsPerAction)
            await send(batch, key, ticket: ticket)
        }
        flushing.remove(key)
    }

    private func take(_ key: Key, count: Int) -> [Waiter] {
        let (withdrawn, waiting) = (pending[key] ?? []).partitioned { $0.budget.isAbandoned }
        fail(withdrawn, with: Abandoned())
        let batch = Array(waiting.prefix(count))
        pending[key] = Array(waiting.dropFirst(batch.count))
        return batch
    }

    /// Sends one batch, answering every waiter in it.
    private func send(_ batch: [Waiter], _ key: Key, ticket: ScopeBudget.Ticket?) async {
        guard !batch.isEmpty else {
            if let ticket { await gate.budget(.v2).release(ticket) }
            return
        }
        let contacts = batch.map(\.contact)
        let client = self.client
        do {
            calls += 1
            try await gate.call(.v2, RetryBudget(limit: gate.retry.maxElapsed), ticket: ticket) {
                try await client.perform(key.action, contacts: contacts, group: key.group)
            }
            for waiter in batch { waiter.continuation.resume(returning: .done) }
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
