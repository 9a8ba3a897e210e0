import Synchronization
internal import CCurl

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
