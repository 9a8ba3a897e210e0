internal import CCurl

/// `curl_global_init`, exactly once per process, before the first easy handle
/// (https://curl.se/libcurl/c/curl_global_init.html: not thread-safe, so it runs under `swift_once`).
enum CurlGlobal {
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    static func initialize() {
        precondition(initialized, "curl_global_init failed")
    }
}
