import Foundation

/// A loopback TCP port no socket holds now, for a child process that must be told its port in
/// advance: the system picks it (bind to port 0), and the socket is closed at once.
///
/// A random port is no substitute: ports from 32768 up are the system's ephemeral range, which
/// every connection of a test run (brokers, sandboxes, clients) draws from, so a random one is
/// sometimes taken and the child fails to listen. The system does not hand a port it just gave
/// out to the next bind to port 0, so the window between closing and the child's bind is small.
public func unusedLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw PortError(call: "socket", errno: errno) }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard bound == 0 else { throw PortError(call: "bind", errno: errno) }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { throw PortError(call: "getsockname", errno: errno) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A socket call that failed while looking for a free port.
public struct PortError: Error, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public var description: String { "\(call) failed looking for a free port: \(String(cString: strerror(errno)))" }
}
