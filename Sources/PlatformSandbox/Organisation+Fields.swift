import HTTPTypes
import JSON

extension Organisation {
    /// Fields, newest first (the platform's order), optionally only the one with `key`.
    func fields(key: String?) -> [FieldRecord] {
        fields.values.filter { key == nil || $0.key == key }.sorted { $0.id > $1.id }
    }

    /// Creates a field from `{"name", "type"}` or the older `{"label", "value_type"}`.
    /// TextIt and RapidPro 9 check the workspace's limit before the body (`409`), Weni after it
    /// (a `400` in `validate()`).
    mutating func createField(_ body: JSON) throws(APIError) -> FieldRecord {
        if flavor.answersLimitsWithConflict && fields.count >= Self.maxFields {
            throw APIError.detail(.conflict, flavor.limitReachedText(limit: Self.maxFields))
        }
        let (label, type) = try validateField(body, updating: nil)
        if !flavor.answersLimitsWithConflict && fields.count >= Self.maxFields {
            throw APIError.invalid(
                "non_field_errors",
                SandboxFlavor.weniLimitText(noun: "contact fields", count: fields.count, limit: Self.maxFields))
        }
        let key = FieldNameRules.key(forName: label)
        // A new name whose key an existing field has (`Nick-Name` after `Nick name`): TextIt and
        // RapidPro 9 do not check it in the serializer, and `ContactField.create` asserts it: a 500.
        if fields.values.contains(where: { $0.key == key }) { throw APIError.serverError }
        let field = FieldRecord(id: nextID(), key: key, label: label, type: type)
        fields[field.id] = field
        return field
    }

    /// Renames or retypes the field with `key`; the key itself never changes.
    mutating func updateField(key: String, _ body: JSON) throws(APIError) -> FieldRecord {
        guard var field = field(key: key) else { throw APIError.notFound }
        let (label, type) = try validateField(body, updating: field)
        field.label = label
        field.type = type
        fields[field.id] = field
        return field
    }

    /// The label and type of a field body, refused per member in the spelling the request used.
    private func validateField(_ body: JSON, updating existing: FieldRecord?) throws(APIError) -> (
        String, FieldType
    ) {
        guard case .object = body else {
            throw APIError.invalid("non_field_errors", "Request body should be a single JSON object")
        }
        let current = flavor.acceptsCurrentFieldSpelling
        let labelMember = current && (body["name"] != nil || body["label"] == nil) ? "name" : "label"
        let typeMember = current && (body["type"] != nil || body["value_type"] == nil) ? "type" : "value_type"
        var errors = ValidationErrors()
        var label: String?
        var type: FieldType?
        // Weni's serializer requires both members (`required=True`); the others check in `validate()`.
        if let value = body[labelMember], !value.isNull {
            if let text = DRFChecks.text(value) {
                label = text.trimmingSpaces
                if let problem = labelProblem(label!, updating: existing) { errors.add(labelMember, problem) }
            } else {
                errors.add(labelMember, "Not a valid string.")
            }
        } else if !current {
            errors.add(
                labelMember, body[labelMember] == nil ? "This field is required." : "This field may not be null.")
        }
        if let value = body[typeMember], !value.isNull {
            let typeName = value.string ?? value.serialized()
            type = typeMember == "type" ? FieldType(rawValue: typeName) : FieldType(oldName: typeName)
            if type == nil { errors.add(typeMember, "\"\(typeName)\" is not a valid choice.") }
        } else if !current {
            errors.add(typeMember, body[typeMember] == nil ? "This field is required." : "This field may not be null.")
        }
        try errors.throwIfAny()
        guard let label, !label.isEmpty else { throw APIError.invalid("non_field_errors", "Field 'name' is required.") }
        guard let type else { throw APIError.invalid("non_field_errors", "Field 'type' is required.") }
        return (label, type)
    }

    /// DRF's length check, the name rule, the generated key, then uniqueness (case-insensitive).
    private func labelProblem(_ label: String, updating existing: FieldRecord?) -> String? {
        if label.isEmpty { return "This field may not be blank." }
        if label.pythonLength > FieldNameRules.maxNameLength {
            return "Ensure this field has no more than \(FieldNameRules.maxNameLength) characters."
        }
        if !FieldNameRules.isValidName(label, flavor: flavor) { return flavor.fieldNameText }
        let key = FieldNameRules.key(forName: label)
        if !FieldNameRules.isValidKey(key, flavor: flavor) {
            return "Generated key \"\(key)\" is invalid or a reserved name."
        }
        let others = fields.values.filter { $0.id != existing?.id }
        if others.contains(where: { $0.label.lowercased() == label.lowercased() }) {
            return "This field must be unique."
        }
        if flavor == .weni, others.contains(where: { $0.key == key }) {
            return "Generated key \"\(key)\" conflicts with an existing contact field."
        }
        return nil
    }
}
