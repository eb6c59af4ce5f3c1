import SyncCore

extension Organisation {
    /// Fields, newest first (the platform's order), optionally only the one with `key`.
    func fields(key: String?) -> [FieldRecord] {
        fields.values.filter { key == nil || $0.key == key }.sorted { $0.id > $1.id }
    }

    /// Creates a field from `{"name", "type"}` or the older `{"label", "value_type"}`.
    mutating func createField(_ body: JSONValue) throws(APIError) -> FieldRecord {
        let (label, type) = try validateField(body, updating: nil)
        if fields.count >= Self.maxFields {
            throw APIError.detail(.conflict, "Cannot create object because workspace has reached limit of \(Self.maxFields).")
        }
        let field = FieldRecord(id: nextID(), key: FieldKey.key(forLabel: label), label: label, type: type)
        fields[field.id] = field
        return field
    }

    /// Renames or retypes the field with `key`; the key itself never changes.
    mutating func updateField(key: String, _ body: JSONValue) throws(APIError) -> FieldRecord {
        guard var field = field(key: key) else { throw APIError.notFound }
        let (label, type) = try validateField(body, updating: field)
        field.label = label
        field.type = type
        fields[field.id] = field
        return field
    }

    /// The label and type of a field body, refused per member in the spelling the request used.
    private func validateField(_ body: JSONValue, updating existing: FieldRecord?) throws(APIError) -> (String, FieldType) {
        guard case .object = body else {
            throw APIError.invalid("non_field_errors", "Request body should be a single JSON object")
        }
        let labelMember = body["name"] != nil || body["label"] == nil ? "name" : "label"
        let typeMember = body["type"] != nil || body["value_type"] == nil ? "type" : "value_type"
        guard let labelValue = body[labelMember], !labelValue.isNull else {
            throw APIError.invalid("non_field_errors", "Field '\(labelMember)' is required.")
        }
        guard let typeValue = body[typeMember], !typeValue.isNull else {
            throw APIError.invalid("non_field_errors", "Field '\(typeMember)' is required.")
        }
        var errors = ValidationErrors()
        var label = ""
        if case let .string(text) = labelValue {
            label = text
            if let problem = labelProblem(text, updating: existing) { errors.add(labelMember, problem) }
        } else {
            errors.add(labelMember, "Not a valid string.")
        }
        let typeName = typeValue.stringValue ?? typeValue.serialized()
        let type = FieldType(anyName: typeName)
        if type == nil { errors.add(typeMember, "\"\(typeName)\" is not a valid choice.") }
        try errors.throwIfAny()
        return (label, type!)
    }

    private func labelProblem(_ label: String, updating existing: FieldRecord?) -> String? {
        if let problem = FieldKey.problem(withLabel: label) { return problem }
        let key = FieldKey.key(forLabel: label)
        let clash = fields.values.contains {
            $0.id != existing?.id && ($0.label.lowercased() == label.lowercased() || (existing == nil && $0.key == key))
        }
        return clash ? "Must be unique." : nil
    }
}
