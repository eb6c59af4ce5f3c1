import Yams

/// A problem in the mapping file, naming the file, the line and the key.
public struct MappingFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let key: String
    public let problem: String
    public var description: String { "\(file):\(line): \(key): \(problem)" }
}

extension DecoderConfiguration {
    /// Reads a mapping file (YAML). Example: `examples/mappings.yaml`.
    ///
    /// ```yaml
    /// default_country_code: "55"
    /// lead_status_field: lead_status
    /// unlisted_topics: canonical          # or: reject
    /// ext_prefixes: {customer: "", lead: "lead-"}
    /// topics:
    ///   crm.public.customers: {format: debezium, ext_prefix: "cus-", mapping: {name: "{first_name} {last_name}"}}
    /// ```
    public init(mappingYAML text: String, file: String) throws(MappingFileError) {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                self.init()
                return
            }
            root = node
        } catch {
            throw MappingFileError(file: file, line: 1, key: "(document)", problem: "is not valid YAML: \(error)")
        }
        let reader = YAMLReader(file: file)
        let top = try reader.mapping(root, key: "(document)")
        self.init()
        for (key, node) in top {
            switch key {
            case "default_country_code":
                let code = try reader.string(node, key: key)
                guard !code.isEmpty, code.allSatisfy(\.isASCIIDigit) else {
                    throw reader.error(node, key, "expected digits such as \"55\"")
                }
                defaultCountryCode = code
            case "lead_status_field": leadStatusField = try reader.string(node, key: key)
            case "unlisted_topics":
                let value = try reader.string(node, key: key)
                if value == "reject" {
                    unlistedFormat = nil
                } else if let format = Format(rawValue: value) {
                    unlistedFormat = format
                } else {
                    throw reader.error(node, key, "expected reject, canonical, debezium or mapped")
                }
            case "ext_prefixes":
                for (family, prefix) in try reader.mapping(node, key: key) {
                    extPrefixes[family] = try reader.string(prefix, key: "\(key).\(family)")
                }
            case "topics":
                for (topic, ruleNode) in try reader.mapping(node, key: key) {
                    topics[topic] = try reader.topicRule(ruleNode, key: "topics.\(topic)")
                }
            default:
                throw reader.error(
                    node, key,
                    "unknown key (expected default_country_code, lead_status_field, unlisted_topics, ext_prefixes or topics)"
                )
            }
        }
    }
}

struct YAMLReader {
    let file: String

    func error(_ node: Node, _ key: String, _ problem: String) -> MappingFileError {
        MappingFileError(file: file, line: (node.mark?.line ?? 0), key: key, problem: problem)
    }

    func mapping(_ node: Node, key: String) throws(MappingFileError) -> [(String, Node)] {
        guard let mapping = node.mapping else { throw error(node, key, "expected a mapping of keys to values") }
        var pairs: [(String, Node)] = []
        for (k, v) in mapping {
            guard let name = k.string else { throw error(k, key, "keys must be strings") }
            pairs.append((name, v))
        }
        return pairs
    }

    func string(_ node: Node, key: String) throws(MappingFileError) -> String {
        guard let scalar = node.scalar else { throw error(node, key, "expected a single value") }
        return scalar.string
    }

    func strings(_ node: Node, key: String) throws(MappingFileError) -> [String] {
        if let scalar = node.scalar { return [scalar.string] }
        guard let sequence = node.sequence else { throw error(node, key, "expected a list of values") }
        var values: [String] = []
        for item in sequence { values.append(try string(item, key: key)) }
        return values
    }

    func source(_ node: Node, key: String) throws(MappingFileError) -> Mapping.Source {
        let text = try string(node, key: key)
        guard let source = Mapping.source(text) else {
            throw error(
                node, key,
                "expected a JSON pointer starting with \"/\" or a template such as \"{first_name} {last_name}\", got \"\(text)\""
            )
        }
        return source
    }

    func topicRule(_ node: Node, key: String) throws(MappingFileError) -> DecoderConfiguration.TopicRule {
        var format: DecoderConfiguration.Format?
        var prefix: String?
        var mappingNode: Node?
        var actionNode: Node?
        for (name, value) in try mapping(node, key: key) {
            switch name {
            case "format":
                let text = try string(value, key: "\(key).format")
                guard let parsed = DecoderConfiguration.Format(rawValue: text) else {
                    throw error(value, "\(key).format", "expected canonical, debezium or mapped, got \"\(text)\"")
                }
                format = parsed
            case "ext_prefix": prefix = try string(value, key: "\(key).ext_prefix")
            case "mapping": mappingNode = value
            case "action": actionNode = value
            default:
                throw error(value, "\(key).\(name)", "unknown key (expected format, ext_prefix, action or mapping)")
            }
        }
        guard let format else { throw error(node, "\(key).format", "is required: canonical, debezium or mapped") }
        var rule = DecoderConfiguration.TopicRule(format: format, extPrefix: prefix)
        if let mappingNode {
            rule.mapping = try self.mapping(mappingNode, format: format, key: "\(key).mapping")
        } else if format == .mapped {
            throw error(node, "\(key).mapping", "is required for format mapped (where id, name, phone… come from)")
        }
        if let actionNode {
            guard format == .mapped else {
                throw error(actionNode, "\(key).action", "only mapped topics choose the action by a member")
            }
            var pointer: String?
            var upsert: [String] = []
            var delete: [String] = []
            for (name, value) in try mapping(actionNode, key: "\(key).action") {
                switch name {
                case "pointer": pointer = try string(value, key: "\(key).action.pointer")
                case "upsert": upsert = try strings(value, key: "\(key).action.upsert")
                case "delete": delete = try strings(value, key: "\(key).action.delete")
                default: throw error(value, "\(key).action.\(name)", "unknown key (expected pointer, upsert, delete)")
                }
            }
            guard let pointer, pointer.hasPrefix("/") else {
                throw error(actionNode, "\(key).action.pointer", "expected a JSON pointer starting with \"/\"")
            }
            rule.mapping?.action = Mapping.ActionRule(pointer: pointer, upsert: Set(upsert), delete: Set(delete))
        }
        return rule
    }

    func mapping(_ node: Node, format: DecoderConfiguration.Format, key: String) throws(MappingFileError) -> Mapping {
        var result = format == .debezium ? Mapping.debeziumDefault : Mapping(id: .pointer("/id"))
        var sawID = false
        for (name, value) in try mapping(node, key: key) {
            let at = "\(key).\(name)"
            switch name {
            case "id":
                result.id = try source(value, key: at)
                sawID = true
            case "event_id": result.eventID = try source(value, key: at)
            case "version": result.version = try source(value, key: at)
            case "version_kind":
                let text = try string(value, key: at)
                guard let kind = OrderingVersion.Kind(rawValue: text) else {
                    throw error(value, at, "expected sequence or timestamp")
                }
                result.versionKind = kind
            case "name": result.name = try source(value, key: at)
            case "language": result.language = try source(value, key: at)
            case "phone": result.phone = try source(value, key: at)
            case "whatsapp": result.whatsapp = try source(value, key: at)
            case "email": result.email = try source(value, key: at)
            case "groups": result.groups = try source(value, key: at)
            case "fields":
                for (label, fieldNode) in try mapping(value, key: at) {
                    if let problem = FieldKey.problem(withLabel: label) {
                        throw error(fieldNode, "\(at).\(label)", "field label refused: \(problem)")
                    }
                    result.fields.append((label, try source(fieldNode, key: "\(at).\(label)")))
                }
            default:
                throw error(
                    value, at,
                    "unknown key (expected id, event_id, version, version_kind, name, language, phone, whatsapp, email, groups, fields)"
                )
            }
        }
        if format == .mapped && !sawID {
            throw error(node, "\(key).id", "is required: where the entity id is (e.g. /lead/id)")
        }
        return result
    }
}
