import PropertyBased
import Testing

@testable import SyncCore

/// `FieldUpdates` keeps a patch's fields as a dictionary would, in key order.
@Suite struct FieldUpdatesTests {
    @Test func fieldsAreKeptInKeyOrderWhateverOrderTheyCameIn() {
        var fields = FieldUpdates()
        fields["score"] = .set(.number("1"))
        fields["plan"] = .set(.text("gold"))
        fields["signup_date"] = .clear
        fields["age"] = .set(.number("3"))
        #expect(fields.keys == ["age", "plan", "score", "signup_date"])
        #expect(fields.map(\.key) == ["age", "plan", "score", "signup_date"])
        fields["plan"] = nil
        #expect(fields.keys == ["age", "score", "signup_date"] && fields.count == 3)
        #expect(fields == ["signup_date": .clear, "age": .set(.number("3")), "score": .set(.number("1"))])
    }

    @Test func mergingLetsTheLaterUpdateWin() {
        var fields: FieldUpdates = ["plan": .set(.text("gold")), "score": .set(.number("1"))]
        fields.merge(["plan": .clear, "city": .set(.text("Maceió"))])
        #expect(fields == ["city": .set(.text("Maceió")), "plan": .clear, "score": .set(.number("1"))])
    }

    /// Random assignments and removals give what a dictionary holds, each key once, ascending.
    @Test func behavesAsADictionaryOfTheSameAssignments() async {
        // Each step: a key (step % 12) and what happens to it (step / 12).
        await propertyCheck(count: 300, input: Gen.int(in: 0...47).array(of: 0...40)) { steps in
            var fields = FieldUpdates()
            var model: [String: Update<FieldValue>] = [:]
            for (key, action) in steps.map({ ($0 % 12, $0 / 12) }) {
                // Keys that sort differently as text and as numbers ("k10" before "k2").
                let name = "k\(key)"
                let update: Update<FieldValue>? =
                    switch action {
                    case 0: nil
                    case 1: .clear
                    default: .set(.text("v\(action)"))
                    }
                fields[name] = update
                model[name] = update
            }
            #expect(fields.keys == model.keys.sorted())
            #expect(fields.count == model.count)
            for (key, value) in model { #expect(fields[key] == value) }
            #expect(fields["k99"] == nil)
        }
    }
}
