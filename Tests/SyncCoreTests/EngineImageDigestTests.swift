import Testing

@testable import SyncCore

/// The digest must tell apart every two writes that differ in anything sent, and only those.
@Suite struct EngineImageDigestTests {
    static let ext = try! URN(parsing: "ext:cus_1")

    static let full = ContactPatch(
        name: .set("Ana"), language: .set("por"), phone: .set(try! URN(parsing: "tel:+5511999990001")),
        whatsapp: .set(try! URN(parsing: "whatsapp:5511999990001")), email: .set(try! URN(parsing: "mailto:a@x.io")),
        groups: .set(["Customers", "VIP"]),
        fields: ["plan": .set(.text("gold")), "score": .set(.number("12.5")), "due": .clear])

    static func digest(_ patch: ContactPatch, recreate: Bool = false, managed: Set<String> = ["vip"]) -> ImageDigest {
        let change = ContactChange(
            extURN: ext, version: .sequence(1), eventID: "e", action: recreate ? .recreate(patch) : .upsert(patch))
        return ImageDigest(change, managedGroups: managed)!
    }

    /// Each a patch that sends something else than `full`: one member changed, dropped or cleared.
    static let variants: [(String, ContactPatch)] = {
        var list: [(String, ContactPatch)] = []
        func variant(_ name: String, _ change: (inout ContactPatch) -> Void) {
            var patch = full
            change(&patch)
            list.append((name, patch))
        }
        variant("name changed") { $0.name = .set("Ana B") }
        variant("name cleared") { $0.name = .clear }
        variant("name not sent") { $0.name = nil }
        variant("language changed") { $0.language = .set("eng") }
        variant("language not sent") { $0.language = nil }
        variant("phone changed") { $0.phone = .set(try! URN(parsing: "tel:+5511999990002")) }
        variant("phone cleared") { $0.phone = .clear }
        variant("whatsapp not sent") { $0.whatsapp = nil }
        variant("email changed") { $0.email = .set(try! URN(parsing: "mailto:b@x.io")) }
        variant("groups changed") { $0.groups = .set(["Customers"]) }
        variant("group renamed in case") { $0.groups = .set(["Customers", "vip"]) }
        variant("groups cleared") { $0.groups = .clear }
        variant("groups not sent") { $0.groups = nil }
        variant("field value changed") { $0.fields["plan"] = .set(.text("silver")) }
        variant("field type changed, same text") { $0.fields["score"] = .set(.text("12.5")) }
        variant("field cleared") { $0.fields["plan"] = .clear }
        variant("field not sent") { $0.fields["plan"] = nil }
        variant("field added") { $0.fields["city"] = .set(.text("Maceió")) }
        variant("field key changed") {
            $0.fields["plan"] = nil
            $0.fields["plan2"] = .set(.text("gold"))
        }
        // Texts that would run together without length prefixes.
        variant("text moved between members") {
            $0.name = .set("Anapor")
            $0.language = nil
        }
        return list
    }()

    /// The versions topic stores digests: their bytes must not change from one release to the
    /// next (else every entity's next replayed event would look changed and make its call).
    /// The hex is SHA-256 of the encoding, worked out by hand, and what the first release stored.
    @Test func theDigestsBytesAreStable() {
        #expect(Self.digest(Self.full).hex == "e03128e5bebc003da190a44ad7dcce80")
    }

    @Test func theSameWriteHasTheSameDigest() {
        #expect(Self.digest(Self.full) == Self.digest(Self.full))
        var reordered = Self.full
        reordered.groups = .set(["VIP", "Customers"])  // the same memberships
        #expect(Self.digest(reordered) == Self.digest(Self.full))
    }

    @Test func everyDifferenceInWhatIsSentChangesIt() {
        var seen: [ImageDigest: String] = [Self.digest(Self.full): "full"]
        for (name, patch) in Self.variants {
            let digest = Self.digest(patch)
            #expect(seen[digest] == nil, "\(name) digests like \(seen[digest] ?? "")")
            seen[digest] = name
        }
        #expect(seen.count == Self.variants.count + 1)
    }

    @Test func recreatingIsAnotherWrite() {
        #expect(Self.digest(Self.full, recreate: true) != Self.digest(Self.full))
    }

    @Test func managedGroupsCountOnlyWhenTheChangeNamesGroups() {
        #expect(Self.digest(Self.full, managed: ["vip"]) != Self.digest(Self.full, managed: ["vip", "leads"]))
        var noGroups = Self.full
        noGroups.groups = nil
        #expect(Self.digest(noGroups, managed: ["vip"]) == Self.digest(noGroups, managed: ["vip", "leads"]))
    }

    @Test func aDeleteHasNoImage() {
        let delete = ContactChange(extURN: Self.ext, version: .sequence(1), eventID: "e", action: .delete)
        #expect(ImageDigest(delete, managedGroups: []) == nil)
    }

    @Test func hexRoundTripsAndRefusesAnythingElse() {
        let digest = Self.digest(Self.full)
        #expect(digest.hex.count == 32)
        #expect(ImageDigest(hex: digest.hex) == digest)
        #expect(ImageDigest(hex: digest.hex.uppercased()) == nil || digest.hex == digest.hex.uppercased())
        #expect(ImageDigest(hex: String(digest.hex.dropLast())) == nil)
        #expect(ImageDigest(hex: String(digest.hex.dropLast()) + "g") == nil)
        #expect(ImageDigest(bytes: [1, 2, 3]) == nil)
    }

    /// An image past the 1,024 bytes encoded on the stack: encoded whole all the same (the
    /// hex is what the encoding into one growing array gave, at `3b1289e`),
    /// and its last byte counts.
    @Test func anImageLargerThanTheStackBufferIsDigestedWhole() {
        var patch = Self.full
        for n in 0..<30 { patch.fields["note_\(n)"] = .set(.text(String(repeating: "x", count: 60) + "\(n)")) }
        let big = Self.digest(patch)
        #expect(big.hex == "2e207aa68234c873829793e7bf78f848")
        patch.fields["note_29"] = .set(.text(String(repeating: "x", count: 60) + "30"))
        #expect(Self.digest(patch) != big, "a change past the first 1,024 bytes went unseen")
    }
}
