internal import CCurl

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
