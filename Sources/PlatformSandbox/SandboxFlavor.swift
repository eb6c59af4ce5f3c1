/// Which platform the sandbox stands in for: each answers some refusals with its own texts and rules.
///
/// Read from the flavours' sources (nyaruka/rapidpro v26.3, rapidpro/rapidpro 9.0.0, weni-ai/flows
/// v7.1): `temba/api/v2/serializers.py`, `fields.py`, `temba/api/views.py`, `temba/api/support.py`,
/// `temba/contacts/models.py`, `temba/contacts/validators.py` (Weni) and `settings_common.py`.
public enum SandboxFlavor: String, Sendable, CaseIterable, Codable {
    /// TextIt / current RapidPro (nyaruka/rapidpro): the default, and the strictest.
    case textit
    /// RapidPro 9.x (rapidpro/rapidpro).
    case rapidpro9
    /// Weni Flows (weni-ai/flows).
    case weni

    // MARK: Contacts

    /// `validate()` of ContactWriteSerializer for a contact that is no longer active (soft-deleted).
    var deletedContactText: String {
        self == .weni ? "Inactive contacts can't be modified." : "Deleted contacts can't be modified."
    }

    /// Whether a URN held by another contact is refused while validating `urns` (RapidPro 9, Weni:
    /// `validate_urns` on create, a flat list) rather than by mailroom at save time (current:
    /// `{"urns": {"0": ["URN is in use by another contact."]}}`).
    var refusesTakenURNInValidation: Bool { self != .textit }

    /// On update by UUID, a URN held by another contact: current mailroom leaves it out silently;
    /// the older flavours' `URNs(modification="set")` moves it to the updated contact.
    var movesTakenURNOnUpdate: Bool { self != .textit }

    /// Contact names: DRF `CharField(max_length=64)` on TextIt and RapidPro 9; Weni trims and checks
    /// with `clean_contact_name` (1...100 code points, its own texts).
    var maxContactNameLength: Int { self == .weni ? 100 : 64 }

    /// The message of a list member (`urns`, `groups`, `contacts`) over its 100 items: DRF's
    /// `max_length` text, or Weni's `validate_size`.
    func tooManyItems(_ limit: Int) -> String {
        self == .weni
            ? "This field can only contain up to \(limit) items."
            : "Ensure this field has no more than \(limit) elements."
    }

    /// Weni's `fields` member is a `LimitedDictField` without `max_length`: no limit on keys.
    var maxFieldValuesPerContact: Int? { self == .weni ? nil : 100 }

    // MARK: Fields and groups

    /// Field names: `name`/`type` and the older `label`/`value_type` on TextIt and RapidPro 9;
    /// Weni's write serializer only has `label` and `value_type`, both required.
    var acceptsCurrentFieldSpelling: Bool { self != .weni }

    /// `is_valid_name` (current, RapidPro 9) or `is_valid_label` (Weni, which also allows `_`).
    var fieldNameText: String {
        self == .weni
            ? "Can only contain letters, numbers, hyphens and underscores."
            : "Can only contain letters, numbers and hypens."
    }

    /// Keys no field may have (`ContactField.RESERVED_KEYS`, Weni's `Contact.RESERVED_FIELD_KEYS`).
    var reservedFieldKeys: Set<String> {
        switch self {
        case .textit: ["has", "is", "fields", "urns", "created_on", "last_seen_on"]
        case .rapidpro9:
            Set<String>([
                "has", "is", "created_on", "flow", "group", "history", "id", "language", "last_seen_on",
                "name", "status", "ticket", "urn", "uuid", "channel", "fields", "first_name", "groups",
                "tickets", "timezone", "urns",
            ]).union(URNSchemes.valid(for: self))
        case .weni:
            Set<String>([
                "id", "name", "first_name", "language", "groups", "uuid", "created_on", "created_by", "modified_by",
                "is", "has",
            ])
            .union(URNSchemes.valid(for: self))
        }
    }

    /// Workspace limits: TextIt and RapidPro 9 answer `409` before validating (`OrgLimitMixin`,
    /// with the limit in RapidPro 9's text); Weni refuses in `validate()`, a `400`, after the members.
    var answersLimitsWithConflict: Bool { self != .weni }

    func limitReachedText(limit: Int) -> String {
        self == .rapidpro9
            ? "Cannot create object because workspace has reached limit of \(limit)."
            : "Cannot create object because workspace has reached limit."
    }

    /// Weni's `validate()` text for fields (`noun` "contact fields") and groups (`noun` "groups").
    static func weniLimitText(noun: String, count: Int, limit: Int) -> String {
        "This org has \(count) \(noun) and the limit is \(limit). You must delete existing ones before you can create new ones."
    }

    /// System groups: TextIt names its status groups `\Active`… so no user name can collide;
    /// RapidPro 9 names them `Active`, `Blocked`, `Stopped`, `Archived`, and its uniqueness check
    /// covers them; Weni checks only user groups. TextIt and RapidPro 9 also create the smart
    /// system group "Open Tickets" (`tickets > 0`), which `groups.json` lists with `system: true`.
    var statusGroupNamesClash: Bool { self == .rapidpro9 }
    var hasOpenTicketsGroup: Bool { self != .weni }

    // MARK: Throttling

    /// `DEFAULT_THROTTLE_RATES` for `v2` and `v2.contacts`.
    var defaultRate: String { self == .textit ? "3600/hour" : "2500/hour" }
}
