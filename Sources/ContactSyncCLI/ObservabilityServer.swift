import Foundation
public import Hummingbird
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
            let body =
                #"{"ready":\#(ready),"assigned_partitions":\#(snapshot.assignedPartitions),"platform_available":\#(snapshot.platformAvailable),"dead_letter_healthy":\#(snapshot.deadLetterHealthy)\#(ready ? "" : #","reason":"\#(snapshot.notReadyReason!)""#)}"#
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
