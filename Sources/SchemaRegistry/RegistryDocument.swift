import JSON

/// The members of a registry answer for a schema (`GET /schemas/ids/{id}` or
/// `GET /subjects/{subject}/versions/{version}`) that decoding needs.
struct RegistryDocument: Sendable {
    let text: String
    /// `AVRO` when the answer has no `schemaType`, as the registry omits it for Avro.
    let schemaType: String
    let references: [SchemaReference]

    /// The document in a 200 answer; other answers as failures. Only a 404 that carries the
    /// registry's own error body (`error_code` 40401, 40402, 40403…) is permanent: a 404 from a
    /// proxy or a wrong URL must not dead-letter every record, so it is transient like a 5xx.
    static func read(_ answer: RegistryResponse, path: String, what: String) throws(RegistryFailure)
        -> RegistryDocument
    {
        let body = try? JSON.parse(answer.body)
        switch answer.status {
        case 200:
            guard let body, let text = body["schema"]?.string else {
                throw RegistryFailure(
                    .registryUnavailable,
                    "GET \(path) answered 200 without a \"schema\" string: not a schema registry answer (check the URL)"
                )
            }
            let schemaType = body["schemaType"]?.string ?? "AVRO"
            var references: [SchemaReference] = []
            if case .array(let list)? = body["references"] {
                for item in list {
                    guard let name = item["name"]?.string, let subject = item["subject"]?.string,
                        case .number(let versionText)? = item["version"], let version = Int(versionText)
                    else {
                        throw RegistryFailure(
                            .invalidSchema, "\(what) has a reference without a name, a subject and a whole version")
                    }
                    references.append(SchemaReference(name: name, subject: subject, version: version))
                }
            }
            return RegistryDocument(text: text, schemaType: schemaType.uppercased(), references: references)
        case 404:
            if let code = body?["error_code"]?.scalarText, code.hasPrefix("404") {
                let said = body?["message"]?.string.map { ": \($0)" } ?? ""
                throw RegistryFailure(
                    .unknownSchema,
                    "\(what) is not in the schema registry (GET \(path) answered 404, error \(code)\(said))")
            }
            throw RegistryFailure(
                .registryUnavailable,
                "GET \(path) answered 404 without the registry's error body: is the registry URL right?")
        case 401, 403:
            throw RegistryFailure(
                .registryUnavailable, "GET \(path) answered \(answer.status): the registry refused the credentials")
        default:
            throw RegistryFailure(.registryUnavailable, "GET \(path) answered \(answer.status)")
        }
    }
}
