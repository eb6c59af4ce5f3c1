extension Traffic {
    /// `chunks` good traffics of `entities` keys each (numbered apart), merged so that at any
    /// point records come from a few neighbouring chunks at random, each chunk's own order kept
    /// (so each key's). A single traffic ends in a round of replays and redeliveries that the
    /// guard skips without a call; merged this way, those tails are spread among the next
    /// chunks' new versions, and a live producer's stream makes platform calls throughout (what
    /// `IdleWatch` relies on). Keys of one chunk stay close together, so the versions of one
    /// entity arrive a few seconds apart, not minutes.
    static func interleaved(
        chunks: Int, entities: Int, versions: Int, window: Int = 3,
        using generator: inout some RandomNumberGenerator
    ) -> Traffic {
        let parts = (0..<chunks).map { Traffic.good(entities: entities, versions: versions, first: $0 * entities) }
        var traffic = Traffic()
        for part in parts { traffic.finals.merge(part.finals) { $1 } }
        var next = Array(repeating: 0, count: chunks)
        var open = 0
        while open < chunks {
            let active = (open..<min(chunks, open + window)).filter { next[$0] < parts[$0].records.count }
            guard let chunk = active.randomElement(using: &generator) else {
                open += 1
                continue
            }
            traffic.records.append(parts[chunk].records[next[chunk]])
            next[chunk] += 1
            while open < chunks && next[open] == parts[open].records.count { open += 1 }
        }
        return traffic
    }
}
