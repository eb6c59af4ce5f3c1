/// Why Avro bytes do not decode with their writer's schema, and where: the byte offset in the
/// record, the value being read (`Envelope.after.email`), and what was expected there.
public struct AvroDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Offset of the first byte of the item that failed, from the start of the bytes handed in.
    public let offset: Int
    /// What was being read, e.g. `string length`, `union branch index`.
    public let reading: String
    public let problem: String
    /// Field names and positions from the top record down to the failing value (no values:
    /// they may be personal data).
    public var path: [String]

    public init(offset: Int, reading: String, problem: String, path: [String] = []) {
        self.offset = offset
        self.reading = reading
        self.problem = problem
        self.path = path
    }

    public var description: String {
        let at = path.isEmpty ? "" : " of \(path.joined(separator: "."))"
        return "at byte \(offset), reading the \(reading)\(at): \(problem)"
    }

    /// The error seen from one level up: `step` goes in front of the path.
    func inside(_ step: String) -> AvroDecodeError {
        var copy = self
        copy.path.insert(step, at: 0)
        return copy
    }
}
