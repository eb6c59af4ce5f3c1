public import Logging
import Synchronization

/// Every line logged through `logger` (level, message, metadata), kept for a test to read:
/// that a failure was logged, that no secret was.
public final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    public var all: [String] { lines.withLock { $0 } }

    /// A logger writing here, every level included.
    public func logger(label: String = "captured") -> Logger {
        Logger(label: label) { _ in Handler(lines: self) }
    }

    private func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            lines.append("\(event.level): \(event.message)" + (merged.isEmpty ? "" : " \(merged)"))
        }
    }
}
