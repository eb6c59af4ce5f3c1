import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Whether `http.port` can be listened on, asked before the worker starts: the HTTP server's own
/// failure comes after "worker started" and names neither the port nor the setting
/// (`bind(descriptor:ptr:bytes:): Address already in use`).
enum PortCheck {
    /// - Throws: `ConfigError` for `http.port` naming the address and why it cannot be bound.
    static func ensureFree(host: String, port: Int) throws(ConfigError) {
        guard port != 0 else { return }  // any free port: nothing to collide with
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw ConfigError(
                key: "http.host", source: "settings", value: host,
                expected: "an address this machine has (it does not resolve)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return }  // cannot even try: let the server report it
        defer { close(fd) }
        // As the server binds: SO_REUSEADDR, so a port in TIME_WAIT after a restart is not "in use".
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 else { return }
        let why =
            errno == EADDRINUSE
            ? "a free port: another process listens on \(host):\(port); stop it, or set http.port (CONTACT_SYNC_HTTP_PORT, --set http.port=…) to a free one"
            : "a port this process may listen on at \(host) (\(String(cString: strerror(errno)))); ports below 1024 need privileges"
        throw ConfigError(
            key: "http.port", source: "http.port, for /healthz, /readyz and /metrics", value: String(port),
            expected: why)
    }
}
