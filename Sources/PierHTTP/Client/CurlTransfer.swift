import Foundation
internal import CCurl

/// Per-transfer state written by libcurl's callbacks on the worker thread; reached from C through the
/// userdata pointer (unretained: the worker holds it alive for the duration of `curl_easy_perform`).
final class CurlTransfer {
    let cancellation: CurlCancellation
    let maxBodyBytes: Int

    var headers: [(name: String, value: String)] = []
    var statusFromLine: Int?
    var body = Data()
    var bodyTooLarge = false

    init(cancellation: CurlCancellation, maxBodyBytes: Int) {
        self.cancellation = cancellation
        self.maxBodyBytes = maxBodyBytes
    }

    /// One header line as libcurl delivers it (https://curl.se/libcurl/c/CURLOPT_HEADERFUNCTION.html):
    /// every line of every response, status lines included, CRLF attached, not NUL-terminated.
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var line = bytes[...]
        while let last = line.last, last == 0x0A || last == 0x0D { line = line.dropLast() }
        if line.isEmpty { return }  // the blank line that ends a header block

        if line.starts(with: "HTTP/".utf8) {
            // A new response begins (interim 1xx, proxy CONNECT, followed redirect): keep only the
            // headers of the last one.
            headers.removeAll(keepingCapacity: true)
            let fields = line.split(separator: 0x20, maxSplits: 2)
            statusFromLine = fields.count >= 2 ? Int(String(decoding: fields[1], as: UTF8.self)) : nil
            return
        }
        if let first = line.first, first == 0x20 || first == 0x09 {
            // Obsolete line folding (RFC 9112 §5.2): continue the previous value.
            guard !headers.isEmpty else { return }
            let continuation = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            headers[headers.count - 1].value += " " + continuation
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: line[..<colon], as: UTF8.self)
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        headers.append((name: name, value: value))
    }

    /// Appends body bytes; `false` stops the transfer when the body exceeds the limit.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= maxBodyBytes else {
            bodyTooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    // MARK: - C callbacks (capture nothing; state comes through userdata)

    static let headerCallback: curl_write_callback = { buffer, size, count, userdata in
        guard let userdata, let buffer else { return 0 }
        let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
        let length = size * count
        transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: buffer, count: length))
        return length
    }

    static let bodyCallback: curl_write_callback = { buffer, size, count, userdata in
        guard let userdata, let buffer else { return 0 }
        let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
        let length = size * count
        // Returning a different count makes libcurl fail with CURLE_WRITE_ERROR.
        return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: length)) ? length : 0
    }

    /// Called often during transfers and about once a second when idle
    /// (https://curl.se/libcurl/c/CURLOPT_XFERINFOFUNCTION.html); non-zero aborts with
    /// CURLE_ABORTED_BY_CALLBACK.
    static let progressCallback: curl_xferinfo_callback = { userdata, _, _, _, _ in
        guard let userdata else { return 0 }
        let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
        return transfer.cancellation.isCancelled ? 1 : 0
    }
}
