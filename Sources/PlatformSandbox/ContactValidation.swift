import JSON

/// What a `POST contacts.json` body asks to change; `nil` members stay as they are.
struct ContactChanges {
    var name: String??
    var language: String??
    var urns: [String]?
    var groupIDs: [Int]?
    /// New values (as sent) by key; a `nil` value clears the field.
    var fields: [String: String?]?
}

/// DRF's checks of one member, as `CharField` and friends make them (`rest_framework/fields.py`).
enum DRFChecks {
    /// `CharField.to_internal_value`: strings, and numbers turned into text; anything else refused.
    static func text(_ value: JSON) -> String? {
        switch value {
        case .string(let text): text
        case .number(let text): numberText(Double(text) ?? .nan)
        default: nil
        }
    }

    /// A number as the sandbox has always turned it into text: whole numbers without a fraction
    /// (`5.0` → `5`), others in Swift's shortest round-tripping form.
    static func numberText(_ number: Double) -> String {
        if number.isFinite, number == number.rounded(), abs(number) < 1e15 {
            return String(Int64(number))
        }
        return number.isFinite ? "\(number)" : "null"
    }

    static func notAList(_ value: JSON) -> String {
        "Expected a list of items but got type \"\(typeName(value))\"."
    }

    static func typeName(_ value: JSON) -> String {
        switch value {
        case .null: "NoneType"
        case .bool: "bool"
        case .number: "float"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }
}

extension Organisation {
    /// Checks a contact body against the flavour's `ContactWriteSerializer`: every member's
    /// errors at once, then (only when all members pass) the object-level `validate()`.
    /// - Parameters:
    ///   - existing: the contact being updated (found by `?uuid=` or `?urn=`), deleted ones included.
    ///   - urnInURL: whether the request names the contact by `?urn=` (then `urns` is refused).
    func validateContact(_ body: JSON, existing: ContactRecord?, urnInURL: Bool) throws(APIError) -> ContactChanges {
        guard case .object = body else {
            throw APIError.invalid("non_field_errors", "Request body should be a single JSON object")
        }
        var errors = ValidationErrors()
        var changes = ContactChanges()

        if let value = body["name"] {
            switch validateName(value) {
            case .success(let name): changes.name = .some(name)
            case .failure(let problem): errors.add("name", problem)
            }
        }
        if let value = body["language"] {
            switch validateLanguage(value) {
            case .success(let language): changes.language = .some(language)
            case .failure(let problem): errors.add("language", problem)
            }
        }
        if let value = body["urns"] {
            switch validateURNs(value, creating: existing == nil, urnInURL: urnInURL) {
            case .success(let urns): changes.urns = urns
            case .failure(let problem): errors.add("urns", problem.body)
            }
        }
        if let value = body["groups"] {
            switch groupReferences(value, allowSmart: false) {
            case .success(let ids):
                // `validate_groups`: only active contacts can be put in groups.
                if let existing, existing.status != .active, !ids.isEmpty {
                    errors.add("groups", "Non-active contacts can't be added to groups")
                } else {
                    changes.groupIDs = ids
                }
            case .failure(let problem): errors.add("groups", problem.message)
            }
        }
        if let value = body["fields"] {
            switch validateFieldValues(value) {
            case .success(let values): changes.fields = values
            case .failure(let problem): errors.add("fields", problem.body)
            }
        }
        try errors.throwIfAny()
        if let existing, !existing.isActive {
            throw APIError.invalid("non_field_errors", flavor.deletedContactText)
        }
        return changes
    }

    /// `nil` clears the name.
    private func validateName(_ value: JSON) -> Result<String?, MemberError> {
        if value.isNull { return .success(nil) }
        guard let sent = DRFChecks.text(value) else { return .failure(MemberError("Not a valid string.")) }
        // Both trim surrounding whitespace (DRF's `trim_whitespace`, Weni's `clean_contact_name`).
        let name = sent.trimmingSpaces
        let limit = flavor.maxContactNameLength
        if flavor == .weni {
            if name.isEmpty { return .failure(MemberError("Contact name cannot be empty.")) }
            if name.pythonLength > limit {
                return .failure(MemberError("Contact name cannot exceed \(limit) characters."))
            }
        } else {
            if name.isEmpty { return .failure(MemberError("This field may not be blank.")) }
            if name.pythonLength > limit {
                return .failure(MemberError("Ensure this field has no more than \(limit) characters."))
            }
        }
        return .success(name)
    }

    /// `CharField(min_length=3, max_length=3, allow_null=True)` then pycountry's lookup.
    private func validateLanguage(_ value: JSON) -> Result<String?, MemberError> {
        if value.isNull { return .success(nil) }
        guard let sent = DRFChecks.text(value) else { return .failure(MemberError("Not a valid string.")) }
        let code = sent.trimmingSpaces
        if code.isEmpty { return .failure(MemberError("This field may not be blank.")) }
        if code.pythonLength > 3 { return .failure(MemberError("Ensure this field has no more than 3 characters.")) }
        if code.pythonLength < 3 { return .failure(MemberError("Ensure this field has at least 3 characters.")) }
        guard LanguageCodes.isKnown(code) else { return .failure(MemberError("Not a valid ISO639-3 language code.")) }
        return .success(code)
    }

    /// Normalised URNs. Per item: `{"urns": {"0": ["Invalid URN: …"]}}`; then the member's
    /// own checks (`validate_urns`), whose messages are a flat list.
    private func validateURNs(_ value: JSON, creating: Bool, urnInURL: Bool) -> Result<[String], MemberBodyError> {
        guard case .array(let items) = value else {
            return .failure(MemberBodyError([.string(DRFChecks.notAList(value))]))
        }
        guard items.count <= Self.maxItemsPerContact else {
            return .failure(MemberBodyError([.string(flavor.tooManyItems(Self.maxItemsPerContact))]))
        }
        var normalised: [String] = []
        var problems: [(String, JSON)] = []
        for (index, item) in items.enumerated() {
            guard let text = DRFChecks.text(item) else {
                problems.append((String(index), ["Not a valid string."]))
                continue
            }
            if text.trimmingSpaces.isEmpty {
                problems.append((String(index), ["This field may not be blank."]))
            } else if let urn = PlatformURN.normalise(text, flavor: flavor) {
                if !normalised.contains(urn) { normalised.append(urn) }
            } else {
                problems.append(
                    (String(index), [.string("Invalid URN: \(text). Ensure phone numbers contain country codes.")]))
            }
        }
        if !problems.isEmpty { return .failure(MemberBodyError(.object(problems))) }
        if urnInURL { return .failure(MemberBodyError(["Field not allowed when using URN in URL"])) }
        if creating && flavor.refusesTakenURNInValidation,
            let taken = normalised.first(where: { contact(urn: $0) != nil })
        {
            return .failure(MemberBodyError([.string("URN belongs to another contact: \(taken)")]))
        }
        return .success(normalised)
    }

    /// Values as sent, by key (`nil` clears); refused per key when not text or a number.
    private func validateFieldValues(_ value: JSON) -> Result<[String: String?], MemberBodyError> {
        guard case .object(let members) = value else {
            return .failure(
                MemberBodyError([
                    .string("Expected a dictionary of items but got type \"\(DRFChecks.typeName(value))\".")
                ]))
        }
        var values: [String: String?] = [:]
        var problems: [(String, JSON)] = []
        for (key, raw) in members {
            if raw.isNull {
                values[key] = .some(nil)
            } else if let text = DRFChecks.text(raw) {
                let trimmed = text.trimmingSpaces
                values[key] = .some(trimmed.isEmpty ? nil : trimmed)
            } else {
                problems.append((key, ["Not a valid string."]))
            }
        }
        if !problems.isEmpty { return .failure(MemberBodyError(.object(problems))) }
        if let limit = flavor.maxFieldValuesPerContact, members.count > limit {
            return .failure(MemberBodyError([.string("Ensure this field has no more than \(limit) elements.")]))
        }
        for (key, _) in members where field(key: key) == nil {
            return .failure(MemberBodyError([.string("Invalid contact field key: \(key)")]))
        }
        return .success(values)
    }

    /// Groups named by UUID or name (case-insensitive), as `ContactGroupField(many=True)` reads
    /// them: the first bad item fails the member. Status groups are not among them.
    func groupReferences(_ value: JSON, allowSmart: Bool) -> Result<[Int], MemberError> {
        guard case .array(let items) = value else { return .failure(MemberError(DRFChecks.notAList(value))) }
        guard items.count <= Self.maxItemsPerContact else {
            return .failure(MemberError(flavor.tooManyItems(Self.maxItemsPerContact)))
        }
        var ids: [Int] = []
        for item in items {
            switch groupReference(item, allowSmart: allowSmart) {
            case .success(let group): if !ids.contains(group.id) { ids.append(group.id) }
            case .failure(let problem): return .failure(problem)
            }
        }
        return .success(ids)
    }

    /// One `ContactGroupField` value: a string or integer naming a group, not a smart one
    /// unless allowed ("… query based: <the value sent>").
    func groupReference(_ item: JSON, allowSmart: Bool) -> Result<GroupRecord, MemberError> {
        guard let reference = DRFChecks.text(item) else { return .failure(MemberError("Must be a string or integer")) }
        guard let group = group(uuid: reference) ?? group(name: reference) else {
            return .failure(MemberError("No such object: \(reference)"))
        }
        if group.query != nil && !allowSmart {
            return .failure(MemberError("Contact group must not be query based: \(reference)"))
        }
        return .success(group)
    }
}

/// A member's single error message (the platform's list holds one message here).
struct MemberError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A member's error body when it is not a single message (per item or per key).
struct MemberBodyError: Error {
    let body: JSON
    init(_ body: JSON) { self.body = body }
}

extension ValidationErrors {
    mutating func add(_ member: String, _ error: MemberError) { add(member, error.message) }
}
