import Foundation
public import Hummingbird
import JSON
public import Logging
public import Prometheus
public import SyncWorker

/// `/healthz` (the process answers), `/readyz` (the worker can do its job) and `/metrics`
/// (Prometheus text) on one small HTTP server.
public enum ObservabilityServer {
    public static func application(
        host: String, port: Int, status: WorkerStatus, registry: PrometheusCollectorRegistry,
        logger: Logger, onRunning: (@Sendable (Int) async -> Void)? = nil
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("readyz") { _, _ in
            let snapshot = status.snapshot
            let ready = snapshot.notReadyReason == nil
            var members: [(String, JSON)] = [
                ("ready", .bool(ready)), ("assigned_partitions", JSON(snapshot.assignedPartitions)),
                ("platform_available", .bool(snapshot.platformAvailable)),
                ("dead_letter_healthy", .bool(snapshot.deadLetterHealthy)),
            ]
            // Several workspaces: ready while any is healthy, and the others named with why.
            if !snapshot.unhealthyWorkspaces.isEmpty {
                members.append(
                    (
                        "unhealthy_workspaces",
                        .object(
                            snapshot.unhealthyWorkspaces.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
                    ))
            }
            if let reason = snapshot.notReadyReason { members.append(("reason", .string(reason))) }
            let body = JSON.object(members).serialized()
            return Response(
                status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("metrics") { _, _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "contact-sync"),
            onServerRunning: { channel in await onRunning?(channel.localAddress?.port ?? port) }, logger: logger)
    }
}
