import Foundation

@testable import SyncCore

func record(_ topic: String = "customers", json: String?, key: String? = nil, headers: [InboundRecord.Header] = [])
    -> InboundRecord
{
    InboundRecord(
        topic: topic, partition: 0, offset: 7, key: key.map { Array($0.utf8) }, value: json.map { Array($0.utf8) },
        headers: headers, timestampMs: 1_700_000_000_000)
}

func canonical(type: String = "customer.updated", id: String = "ev-1", version: String? = "42", data: String) -> String
{
    let versionMember = version.map { #""version": \#($0), "# } ?? ""
    return
        #"{"id": "\#(id)", "type": "\#(type)", "occurred_at": "2026-11-24T10:15:00.123Z", \#(versionMember)"data": \#(data)}"#
}

extension DecodeOutcome {
    var change: ContactChange? { if case .change(let c) = self { c } else { nil } }
    var rejection: Rejection? { if case .reject(let r) = self { r } else { nil } }
    var patch: ContactPatch? { if case .upsert(let p)? = change?.action { p } else { nil } }
}

/// The repository's examples/ folder, found from this file's path.
let examplesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples")

func exampleText(_ name: String) throws -> String {
    try String(contentsOf: examplesFolder.appendingPathComponent(name), encoding: .utf8)
}
