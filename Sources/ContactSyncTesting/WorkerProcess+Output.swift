public import Foundation

extension WorkerProcess {
    /// What a child wrote and how it exited.
    public struct Output: Sendable {
        public var stdout = ""
        public var stderr = ""
        public var status: Int32 = 0
    }

    /// A child whose stdout and stderr this process reads, for tests of what the binary prints.
    public final class Captured: @unchecked Sendable {
        public let process: Process
        private let out = Pipe()
        private let err = Pipe()

        init(_ process: Process) throws {
            self.process = process
            process.standardOutput = out
            process.standardError = err
            try process.run()
        }

        /// Reads the child's output to its end and waits for it to exit.
        public func finish() async -> Output {
            // Pipes are drained off the cooperative pool so that a chatty child cannot block.
            let (stdout, stderr) = await Task.detached { [out, err] in
                (
                    String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                    String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                )
            }.value
            process.waitUntilExit()
            return Output(stdout: stdout, stderr: stderr, status: process.terminationStatus)
        }
    }

    /// Starts the binary with `arguments` and `extra` over the environment, its output captured.
    public func startCapturing(_ arguments: [String], extra: [String: String] = [:]) throws -> Captured {
        try Captured(try process(arguments, extra: extra))
    }

    /// Runs the binary to its exit and returns what it wrote.
    public func output(_ arguments: [String], extra: [String: String] = [:]) async throws -> Output {
        try await startCapturing(arguments, extra: extra).finish()
    }
}
