import Foundation
import Glibc
import Synchronization

/// A tiny HTTP/1.1 server over POSIX sockets for the client tests, bound to 127.0.0.1 on an ephemeral
/// port. One thread accepts; one thread per connection reads requests (keep-alive), asks the script
/// for a response and writes it. It counts accepted connections and records requests.
///
/// Deliberately independent of PierHTTP's own server, which is written separately.
final class ClientTestServer: Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [(name: String, value: String)]
        var body: Data

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    struct Response: Sendable {
        var status: Int = 200
        var reason: String = "OK"
        var headers: [(name: String, value: String)] = []
        var body: Data = Data()
        /// Wait this long before answering (timeout and cancellation tests).
        var delay: Duration = .zero
        /// An interim response sent before the final one, e.g. `100 Continue` with headers.
        var interim: (status: Int, headers: [(name: String, value: String)])? = nil

        init(
            status: Int = 200, reason: String = "OK", headers: [(name: String, value: String)] = [],
            body: String = "", delay: Duration = .zero
        ) {
            self.status = status
            self.reason = reason
            self.headers = headers
            self.body = Data(body.utf8)
            self.delay = delay
        }
    }

    typealias Script = @Sendable (Request) -> Response

    private struct State {
        var accepted = 0
        var requests: [Request] = []
        var clientSockets: Set<Int32> = []
        var stopped = false
    }

    let port: Int
    private let listener: Int32
    private let script: Script
    private let state = Mutex(State())

    init(script: @escaping Script) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = fd
        self.script = script
        let thread = Thread { [self] in self.acceptLoop() }
        thread.name = "client-test-server-accept"
        thread.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var acceptedConnections: Int { state.withLock { $0.accepted } }
    var requests: [Request] { state.withLock { $0.requests } }

    /// Closes the listener and every open connection.
    func stop() {
        let sockets = state.withLock { state -> Set<Int32> in
            state.stopped = true
            return state.clientSockets
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) }
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.accepted += 1
                state.clientSockets.insert(client)
                return true
            }
            guard admitted else {
                close(client)
                return
            }
            let thread = Thread { [self] in
                self.serve(client)
                state.withLock { _ = $0.clientSockets.remove(client) }
                close(client)
            }
            thread.start()
        }
    }

    private func serve(_ socket: Int32) {
        var buffer = [UInt8]()
        while !isStopped {
            guard let headerEnd = readUntilHeaderEnd(socket, &buffer) else { return }
            let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
            buffer.removeFirst(headerEnd + 4)
            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ")
            guard requestLine.count == 3 else { return }
            var headers: [(name: String, value: String)] = []
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            var request = Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: Data())
            let response = script(request)
            if let interim = response.interim {
                var text = "HTTP/1.1 \(interim.status) Continue\r\n"
                for header in interim.headers { text += "\(header.name): \(header.value)\r\n" }
                guard send(socket, Data((text + "\r\n").utf8)) else { return }
            }
            let contentLength = Int(request.header("Content-Length") ?? "0") ?? 0
            while buffer.count < contentLength {
                guard readMore(socket, &buffer) else { return }
            }
            request.body = Data(buffer.prefix(contentLength))
            buffer.removeFirst(contentLength)
            state.withLock { $0.requests.append(request) }

            if response.delay > .zero {
                let deadline = ContinuousClock.now + response.delay
                while ContinuousClock.now < deadline, !isStopped { usleep(10_000) }
                if isStopped { return }
            }
            var text = "HTTP/1.1 \(response.status) \(response.reason)\r\n"
            for header in response.headers { text += "\(header.name): \(header.value)\r\n" }
            text += "Content-Length: \(response.body.count)\r\n\r\n"
            var bytes = Data(text.utf8)
            if request.method != "HEAD" { bytes.append(response.body) }
            guard send(socket, bytes) else { return }
            if request.header("Connection")?.lowercased() == "close" { return }
        }
    }

    private func readUntilHeaderEnd(_ socket: Int32, _ buffer: inout [UInt8]) -> Int? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        while true {
            if buffer.count >= 4 {
                for index in 0...(buffer.count - 4) where buffer[index..<(index + 4)].elementsEqual(terminator) {
                    return index
                }
            }
            guard readMore(socket, &buffer) else { return nil }
        }
    }

    private func readMore(_ socket: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = recv(socket, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    private func send(_ socket: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = Glibc.send(socket, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    /// A loopback port with nothing listening: bind, read the port, close.
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
