private import COpenSSL

/// Small internal helpers shared by the OpenSSL wrappers.
enum OpenSSL {
    /// Drains OpenSSL's thread-local error queue and returns the first reason string.
    ///
    /// Every failed call must end here: a stale queue entry would otherwise be reported by an
    /// unrelated later call on the same thread (PLATFORM.md, OpenSSL traps).
    static func drainErrors() -> String {
        var first: String?
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if first == nil {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                first = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        return first ?? "no OpenSSL reason"
    }

    /// A library failure, with the drained error queue as the message.
    static func failure(_ operation: String, code: CryptoError.Code = .libraryFailure) -> CryptoError {
        CryptoError(code, "\(operation) failed: \(drainErrors())")
    }

    /// Calls `body` with a pointer that is never nil, even for empty input.
    ///
    /// Several OpenSSL entry points treat a NULL buffer differently from an empty one (or reject it);
    /// a zero-length view of a static byte is the safe spelling of "no bytes".
    static func withNonNullBytes<R>(
        _ bytes: UnsafeRawBufferPointer,
        _ body: (UnsafePointer<UInt8>, Int) throws -> R
    ) rethrows -> R {
        if let base = bytes.baseAddress, bytes.count > 0 {
            return try body(base.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        var placeholder: UInt8 = 0
        return try withUnsafePointer(to: &placeholder) { try body($0, 0) }
    }
}
