/// Which platform the worker talks to. The flavours share API v2 but differ in how fields are
/// created, which field keys are reserved, and their default request budgets
/// (`../shared/docs/flows-api-v2.md`; nyaruka/rapidpro, rapidpro/rapidpro and weni-ai/flows,
/// `temba/api/v2/` and `temba/settings_common.py`).
///
/// Error texts are recognised for every flavour whatever the setting (`PlatformError`), so a
/// worker pointed at the wrong flavour still reads the platform's answers right.
public enum PlatformFlavor: String, Sendable, CaseIterable {
    /// TextIt and current RapidPro (nyaruka/rapidpro): the strictest, and the default.
    case textit
    /// RapidPro 9.x (rapidpro/rapidpro).
    case rapidpro9
    /// Weni Flows (weni-ai/flows), a RapidPro fork.
    case weni

    /// How `fields.json` writes spell a field: Weni takes only the older `label`/`value_type`.
    public var fieldSpelling: FieldSpelling {
        self == .weni ? .labelValueType : .nameType
    }

    /// DRF's default rate per scope (`v2.contacts` and `v2` alike): 3,600 an hour on TextIt,
    /// 2,500 on RapidPro 9 and Weni. A workspace may have its own (`api_rates`).
    public var defaultBudget: RequestRate {
        self == .textit
            ? RequestRate(requests: 3600, per: .seconds(3600)) : RequestRate(requests: 2500, per: .seconds(3600))
    }

    /// Field keys the platform keeps for itself: a name deriving one of them is refused with
    /// "Generated key … is invalid or a reserved name.".
    public var reservedFieldKeys: Set<String> {
        let schemes: Set<String> = [
            "tel", "mailto", "ext", "whatsapp", "facebook", "telegram", "twitter", "twitterid", "viber", "line",
            "instagram", "external", "jiochat", "wechat", "fcm", "freshchat", "vk", "discord", "rocketchat",
            "webchat", "slack", "teams",
        ]
        switch self {
        case .textit:
            return ["has", "is", "fields", "urns", "created_on", "last_seen_on"]
        case .rapidpro9:
            // The contact's own attributes and every URN scheme.
            return schemes.union([
                "has", "is", "fields", "urns", "created_on", "last_seen_on", "id", "uuid", "name", "first_name",
                "language", "groups", "created_by", "modified_by", "modified_on", "org", "contact", "channel",
                "timezone", "email", "status", "blocked", "stopped", "flow", "tickets",
            ])
        case .weni:
            return schemes.union([
                "id", "name", "first_name", "language", "groups", "uuid", "created_on", "created_by", "modified_by",
                "is", "has",
            ])
        }
    }

    /// Whether a field's name may hold `_` (Weni allows it; TextIt and RapidPro allow only
    /// letters, digits, spaces and hyphens).
    public var allowsUnderscoreInFieldNames: Bool { self == .weni }
}
