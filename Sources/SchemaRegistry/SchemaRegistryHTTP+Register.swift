import AsyncHTTPClient
public import JSON
import NIOCore
import NIOHTTP1

extension SchemaRegistryHTTP {
    /// Registers `schema` (Avro) under `subject` as Confluent's serializers do
    /// (`POST /subjects/{subject}/versions`) and answers its id: the same id again for a schema
    /// the subject has already. For `produce --avro` and the demo; the worker only reads.
    /// - Throws: `SchemaRegistryHTTPError` when no answer came or the registry refused it
    ///   (its status and error message named).
    public func register(subject: String, schema: JSON) async throws -> UInt32 {
        let path = "/subjects/\(SchemaRegistryClient.percentEncoded(subject))/versions"
        var request = HTTPClientRequest(url: options.url + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/vnd.schemaregistry.v1+json")
        request.headers.add(name: "Accept", value: "application/vnd.schemaregistry.v1+json, application/json")
        if let authorization = options.credentials.authorization {
            request.headers.add(name: "Authorization", value: authorization)
        }
        let body: JSON = ["schema": .string(schema.serialized())]
        request.body = .bytes(ByteBuffer(bytes: body.serializedBytes()))
        let status: Int
        let answer: [UInt8]
        do {
            let response = try await http.execute(request, timeout: .init(options.requestTimeout))
            status = Int(response.status.code)
            answer = Array(try await response.body.collect(upTo: Self.maxAnswerBytes).readableBytesView)
        } catch {
            throw SchemaRegistryHTTPError(url: options.url + path, underlying: "\(error)")
        }
        let json = try? JSON.parse(answer)
        guard status == 200, let id = json?["id"]?.scalarText.flatMap({ UInt32($0) }) else {
            let message = json?["message"]?.string ?? String(decoding: answer.prefix(200), as: UTF8.self)
            throw SchemaRegistryHTTPError(
                url: options.url + path, underlying: "registering the schema answered \(status): \(message)")
        }
        return id
    }
}
