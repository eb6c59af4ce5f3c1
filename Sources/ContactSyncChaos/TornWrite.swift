import Foundation

/// Damages a store file as a torn write does (a page only half written when the machine lost
/// power or the disk failed): the first half of one page of the database file becomes bytes that
/// were never a page. The page is one its WAL holds no copy of, since SQLite would read that copy
/// and never see the damage. The worker must find it when it opens the file after a crash and
/// rebuild the store from the versions topic, not read garbage as the guard's state.
enum TornWrite {
    struct Tear: CustomStringConvertible {
        let file: String
        let page: Int
        let pages: Int

        var description: String {
            "page \(page) of \(pages) of \((file as NSString).lastPathComponent) torn"
        }
    }

    /// Tears a page of the file among `files` with the most pages outside its WAL; `nil` when
    /// every page of every file is in its WAL (nothing on disk that a tear could reach).
    static func tear(oneOf files: [String]) throws -> Tear? {
        var best: (file: String, pageSize: Int, pages: Int, candidates: [Int])?
        for file in files {
            guard let data = FileManager.default.contents(atPath: file), data.count >= 100,
                data.starts(with: Array("SQLite format 3\0".utf8))
            else { continue }
            let field = Int(data[16]) << 8 | Int(data[17])
            let pageSize = field == 1 ? 65536 : field
            let pages = data.count / pageSize
            // Free pages hold nothing to check; page 1 is the header SQLite reads first, the
            // others it finds only by walking the tree.
            let skipped = walPages(file + "-wal").union(freePages(data, pageSize: pageSize)).union([1])
            let candidates = (1...max(1, pages)).filter { $0 <= pages && !skipped.contains($0) }
            if candidates.count > (best?.candidates.count ?? 0) {
                best = (file, pageSize, pages, candidates)
            }
        }
        guard let best, let page = best.candidates.randomElement() else { return nil }
        guard let handle = FileHandle(forUpdatingAtPath: best.file) else {
            throw TornWriteError(file: best.file)
        }
        defer { try? handle.close() }
        var generator = SystemRandomNumberGenerator()
        let garbage = (0..<best.pageSize / 2).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try handle.seek(toOffset: UInt64((page - 1) * best.pageSize))
        try handle.write(contentsOf: garbage)
        try handle.synchronize()
        return Tear(file: best.file, page: page, pages: best.pages)
    }

    /// The free pages the file's header lists: its trunk pages and their leaves (format: the
    /// first trunk's number at byte 32; a trunk holds the next trunk's number, a count, leaves).
    static func freePages(_ data: Data, pageSize: Int) -> Set<Int> {
        let bigEndian = { (at: Int) in at + 4 <= data.count ? data[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } : 0 }
        var free: Set<Int> = []
        var trunk = bigEndian(32)
        while trunk > 0, !free.contains(trunk), trunk * pageSize <= data.count {
            free.insert(trunk)
            let base = (trunk - 1) * pageSize
            let leaves = min(bigEndian(base + 4), pageSize / 4 - 2)
            for leaf in 0..<max(0, leaves) { free.insert(bigEndian(base + 8 + 4 * leaf)) }
            trunk = bigEndian(base)
        }
        return free
    }

    /// The page numbers of every frame in a WAL file, valid or not (the safe side: a page any
    /// frame names may be read from the WAL). Format: a 32-byte header, then frames of a
    /// 24-byte header (the page number first, big-endian) and one page each.
    static func walPages(_ path: String) -> Set<Int> {
        guard let wal = FileManager.default.contents(atPath: path), wal.count >= 32 else { return [] }
        let bigEndian = { (at: Int) in wal[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let pageSize = bigEndian(8)
        guard pageSize >= 512 else { return [] }
        var pages: Set<Int> = []
        var frame = 32
        while frame + 24 + pageSize <= wal.count {
            pages.insert(bigEndian(frame))
            frame += 24 + pageSize
        }
        return pages
    }
}

struct TornWriteError: Error, CustomStringConvertible {
    let file: String
    var description: String { "cannot open \(file) to damage it; check the scratch directory's permissions" }
}
