import JSON
import SchemaRegistry
import Testing

@Suite struct AvroSchemaParserTests {
    @Test func namespacesAndReferences() throws {
        let schema = try AvroSchema.parse(
            """
            {"type": "record", "name": "Outer", "namespace": "a.b", "fields": [
              {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [
                {"name": "kind", "type": {"type": "enum", "name": "Kind", "namespace": "c", "symbols": ["X"]}}]}},
              {"name": "again", "type": "Inner"},
              {"name": "kind", "type": "c.Kind"},
              {"name": "self", "type": ["null", "a.b.Outer"]},
              {"name": "dotted", "type": {"type": "fixed", "name": "x.y.Z", "size": 2}}]}
            """)
        #expect(Set(schema.namedTypes.keys) == ["a.b.Outer", "a.b.Inner", "c.Kind", "x.y.Z"])
        guard case .record(let outer) = schema.root else {
            Issue.record("not a record: \(schema.root)")
            return
        }
        #expect(outer.fields.map(\.type.typeName) == ["a.b.Inner", "a.b.Inner", "c.Kind", "union", "x.y.Z"])
        #expect(outer.fields[1].type == .named("a.b.Inner"))
    }

    @Test func referencedTypesComeFromKnownSchemas() throws {
        let address = try AvroSchema.parse(
            #"{"type": "record", "name": "Address", "namespace": "com.acme", "fields": [{"name": "city", "type": "string"}]}"#
        )
        let customer = try AvroSchema.parse(
            #"{"type": "record", "name": "Customer", "namespace": "com.acme", "fields": [{"name": "home", "type": "Address"}]}"#,
            known: address.namedTypes)
        let bytes = AvroBytes.string("Maceió")
        #expect(try AvroDecoder(schema: customer).decode(bytes) == ["home": ["city": "Maceió"]])
    }

    @Test(arguments: [
        (#"{"type": "nope"}"#, #"type "nope" is neither a primitive nor a named type defined before it"#),
        (#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "Later"}]}"#, "record R, field a"),
        (#"{"type": "record", "name": "R"}"#, #"a record needs a "fields" array"#),
        (
            #"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]}"#,
            "twice"
        ),
        (
            #"[{"type": "enum", "name": "E", "symbols": ["A"]}, {"type": "enum", "name": "E", "symbols": ["B"]}]"#,
            "twice"
        ),
        (#"{"type": "enum", "name": "E", "symbols": ["A", "A"]}"#, "distinct"),
        (#"{"type": "fixed", "name": "F", "size": -1}"#, "size"),
        (#"{"type": "record", "name": "9bad", "fields": []}"#, "not a valid Avro name"),
        (#"{"type": "array"}"#, "items"),
        (#"{"type": "map"}"#, "values"),
        (#"{"name": "x"}"#, #"needs a "type""#),
        ("{not json", "not JSON"),
        ("17", "a type must be"),
    ])
    func badSchemasAreRefusedWithTheirPlace(text: String, mention: String) {
        #expect(throws: AvroSchemaError.self) { try AvroSchema.parse(text) }
        do {
            _ = try AvroSchema.parse(text)
        } catch {
            #expect(error.description.contains(mention), "\(error)")
        }
    }

    @Test func logicalAnnotations() throws {
        func root(_ text: String) throws -> AvroType { try AvroSchema.parse(text).root }
        #expect(try root(#"{"type": "int", "logicalType": "date"}"#) == .logical(.date, .int))
        #expect(
            try root(#"{"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2}"#)
                == .logical(.decimal(scale: 2), .bytes))
        // Invalid annotations are ignored, as the specification asks.
        #expect(try root(#"{"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": 3}"#) == .bytes)
        #expect(try root(#"{"type": "string", "logicalType": "timestamp-millis"}"#) == .string)
        #expect(try root(#"{"type": "int", "connect.name": "io.debezium.time.MicroTimestamp"}"#) == .int)
        // connect.name wins over logicalType: Connect's Timestamp is timestamp-millis either way.
        #expect(
            try root(
                #"{"type": "long", "connect.name": "io.debezium.time.MicroTimestamp", "logicalType": "timestamp-millis"}"#
            )
                == .logical(.timestampMicros, .long))
    }

    @Test func deepSchemasAreRefused() {
        var text = #""int""#
        for _ in 0..<200 { text = #"{"type": "array", "items": \#(text)}"# }
        #expect(throws: AvroSchemaError.self) { try AvroSchema.parse(text) }
    }
}
