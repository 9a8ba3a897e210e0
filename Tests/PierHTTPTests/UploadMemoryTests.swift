import Foundation
import PierTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Memory under oversized uploads, measured on a separate `pier bench-http-server` process: the test
/// process runs other suites in parallel, so its own RSS says nothing about the server's.
@Suite(.serialized)
struct UploadMemoryTests {
    struct ServerProcess {
        let process: Process
        let port: Int

        init() throws {
            let (process, stdout, _) = try PierBinary.start(["bench-http-server", "--listen", "127.0.0.1:0"])
            let line = String(decoding: stdout.fileHandleForReading.readLine(), as: UTF8.self)
            guard let match = line.firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/), let port = Int(match.output.1) else {
                process.terminate()
                throw RawHTTPConnection.Failure("bench-http-server did not report its port: \(line)")
            }
            self.process = process
            self.port = port
        }

        var residentBytes: Int {
            guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
            else { return 0 }
            return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    static let tenMegabytes = 10 * 1024 * 1024

    @Test func tenMegabytesDeclaredToAOneMegabyteRouteGet413WithoutGrowingTheServer() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        // Warm the server's allocator and thread pool first so the baseline is steady.
        _ = try await onThread { try RawHTTPConnection(port: server.port).request("POST", "/bench/upload", body: Data(count: 1000)) }
        let before = server.residentBytes
        let reply = try await onThread {
            let connection = try RawHTTPConnection(port: server.port)
            try connection.write("POST /bench/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: \(Self.tenMegabytes)\r\n\r\n")
            let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
            var sent = 0
            while sent < Self.tenMegabytes, !connection.readable() {
                if connection.writable(timeoutMilliseconds: 50) {
                    guard (try? connection.write(chunk)) != nil else { break }
                    sent += chunk.count
                }
            }
            return try connection.readResponse()
        }
        let grown = server.residentBytes - before
        #expect(reply.status == 413)
        #expect(reply.text.contains("payload_too_large"))
        #expect(grown < 2 * 1024 * 1024, "server RSS grew by \(grown) bytes for a 10 MB body")
    }

    @Test func tenMegabytesChunkedAreDiscardedNotBuffered() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        _ = try await onThread { try RawHTTPConnection(port: server.port).request("POST", "/bench/upload", body: Data(count: 1000)) }
        let before = server.residentBytes
        let reply = try await onThread {
            let connection = try RawHTTPConnection(port: server.port, timeoutSeconds: 10)
            try connection.write("POST /bench/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            let payload = [UInt8](repeating: 0x62, count: 64 * 1024)
            let chunk = Array("\(String(payload.count, radix: 16))\r\n".utf8) + payload + Array("\r\n".utf8)
            for _ in 0..<(Self.tenMegabytes / payload.count) { try connection.write(chunk) }
            try connection.write("0\r\n\r\n")
            return try connection.readResponse()
        }
        let grown = server.residentBytes - before
        #expect(reply.status == 413)
        // The limit (1 MiB) may be held while the rest is discarded; 10 MiB must not be.
        #expect(grown < 3 * 1024 * 1024, "server RSS grew by \(grown) bytes for a 10 MiB chunked body")
    }
}

extension FileHandle {
    /// Reads one line (without the newline), blocking.
    func readLine() -> Data {
        var line = Data()
        while true {
            let byte = readData(ofLength: 1)
            if byte.isEmpty || byte.first == UInt8(ascii: "\n") { return line }
            line.append(byte)
        }
    }
}
