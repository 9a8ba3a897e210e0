internal import CCurl
import Synchronization

/// Owns one libcurl easy handle (`CURL *`).
///
/// An easy handle keeps its connection cache across `curl_easy_reset`, which is what makes sequential
/// requests to one host reuse their TCP (and TLS) connection
/// (https://curl.se/libcurl/c/curl_easy_reset.html: "It does not change … live connections").
///
/// `@unchecked Sendable`: a handle is used by one thread at a time — it is checked out of
/// ``CurlHandlePool`` by a worker for the length of one transfer and checked back in afterwards
/// (https://curl.se/libcurl/c/threadsafe.html: a handle must not be used from two threads at once).
final class CurlEasyHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer

    init?() {
        CurlGlobal.initialize()
        guard let pointer = curl_easy_init() else { return nil }
        self.pointer = pointer
    }

    deinit { curl_easy_cleanup(pointer) }
}

/// The idle handles of one client, most recently used first.
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[CurlEasyHandle]>([])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// An idle handle, or a new one; `nil` only when libcurl cannot allocate.
    func checkOut() -> CurlEasyHandle? {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return CurlEasyHandle()
    }

    /// Returns a handle after its options have been reset; beyond capacity it is freed.
    func checkIn(_ handle: CurlEasyHandle) {
        curl_easy_reset(handle.pointer)
        let kept = idle.withLock { handles -> Bool in
            guard handles.count < capacity else { return false }
            handles.append(handle)
            return true
        }
        if !kept { _ = consume handle }
    }
}

/// `curl_global_init`, exactly once per process, before the first easy handle
/// (https://curl.se/libcurl/c/curl_global_init.html: not thread-safe, so it runs under `swift_once`).
enum CurlGlobal {
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    static func initialize() {
        precondition(initialized, "curl_global_init failed")
    }
}
