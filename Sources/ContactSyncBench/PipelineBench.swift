import SyncCore

/// Decoding and the engine's bookkeeping, with no I/O: what one core does per event.
enum PipelineBench {
    static func events(_ count: Int) -> [InboundRecord] {
        (0..<count).map { n in
            let json =
                #"{"id": "evt-\#(n)", "type": "customer.updated", "occurred_at": "2026-11-24T10:15:00.123Z", "version": \#(n), "source": "crm", "data": {"id": "cus_\#(n % 10_000)", "name": "John Cordeiro", "language": "por", "phone": "+558299331122", "whatsapp": "558299331122", "email": "john.dalton@example.com", "groups": ["Customers", "VIP"], "fields": {"plan": "gold", "signup_date": "2026-01-31T09:27:39.071-03:00", "score": 12.5}}}"#
            return InboundRecord(
                topic: "customers", partition: 0, offset: Int64(n), key: Array("cus_\(n % 10_000)".utf8),
                value: Array(json.utf8))
        }
    }

    static func run() -> [Bench.Row] {
        let records = events(200_000)
        let decoder = EventDecoder(configuration: DecoderConfiguration(defaultCountryCode: "55"))
        var changes = 0
        let decoding = Passes(events: records.count) {
            ContinuousClock().measure {
                for record in records { if case .change = decoder.decode(record) { changes += 1 } }
            }
        }
        precondition(changes == records.count * Passes.count, "every sample event decodes")

        let sizes = records.map { $0.value?.count ?? 0 }
        let meanSize = sizes.reduce(0, +) / sizes.count

        var skipped = 0
        var merged = 0
        let engine = Passes(events: records.count) {
            // Each pass from an empty engine: its first sight of every entity, then the merges.
            var tracker = OffsetTracker()
            var applied: [String: AppliedVersion] = [:]
            var pending: [String: [ContactChange]] = [:]
            return ContinuousClock().measure {
                for record in records {
                    tracker.fetched(record.offset)
                    guard case .change(let change) = decoder.decode(record) else { continue }
                    // The version guard's decision against the key's last applied version.
                    let key = change.entityKey
                    if VersionGuard.decide(version: change.version, eventID: change.eventID, last: applied[key])
                        != .apply
                    {
                        skipped += 1
                    }
                    applied[key] = AppliedVersion(
                        version: change.version, eventID: change.eventID, deleted: false, contactUUID: nil)
                    // A lane per key, as the worker keeps them: one hash lookup per event.
                    if let lane = pending.index(forKey: change.entityKey) {
                        pending.values[lane].append(change)
                        if pending.values[lane].count == 4 {
                            _ = ContactChange.merge(pending.remove(at: lane).value)
                            merged += 1
                        }
                    } else {
                        pending[change.entityKey] = [change]
                    }
                    tracker.finished(record.offset)
                }
            }
        }
        return [
            .init(
                name:
                    "decode (canonical, \(meanSize) B mean, \(sizes.min()!)–\(sizes.max()!) B, one core; median of \(Passes.count) passes)",
                figure: "\(formatted(decoding.median)) events/s", target: "≥ 200,000/s",
                beside: decoding.summary, met: decoding.median >= 200_000),
            // Not the worker's pipeline: no Lanes actor, no tasks, no status or metrics; what the
            // engine's pure parts cost per event on one core.
            .init(
                name:
                    "pure engine per event: decode → version guard → per-key dictionary merge of 4 → OffsetTracker (no Lanes actor, status or metrics; median of \(Passes.count) passes)",
                figure: "\(formatted(engine.median)) events/s", target: "≥ 200,000/s",
                beside: "\(merged) merges of 4, \(skipped) guard skips; \(engine.summary)",
                met: engine.median >= 200_000),
        ]
    }
}
