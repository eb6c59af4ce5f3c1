/// The Confluent wire format: magic byte 0, the schema id as 4 big-endian bytes, then the
/// payload (Avro binary, JSON text, or Protobuf message indexes and bytes).
public struct ConfluentFraming: Sendable, Equatable {
    public static let magicByte: UInt8 = 0
    /// Magic byte and schema id: where the payload starts.
    public static let headerSize = 5

    public let schemaID: UInt32

    public init(schemaID: UInt32) { self.schemaID = schemaID }

    /// The framing of `bytes`, or `nil` when they do not start with the magic byte and a whole
    /// schema id. JSON text never starts with a 0 byte, so a framed value cannot be mistaken
    /// for a plain JSON one.
    public static func read(_ bytes: [UInt8]) -> ConfluentFraming? {
        guard bytes.count >= headerSize, bytes[0] == magicByte else { return nil }
        let id = bytes[1..<headerSize].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return ConfluentFraming(schemaID: id)
    }

    /// The header for `schemaID` (producers and tests frame their payloads with it).
    public static func header(schemaID: UInt32) -> [UInt8] {
        [
            magicByte, UInt8(schemaID >> 24), UInt8(schemaID >> 16 & 0xFF), UInt8(schemaID >> 8 & 0xFF),
            UInt8(schemaID & 0xFF),
        ]
    }
}
