import CCurl

/// How the console calls out (to identity providers): which CAs it trusts beyond the system's, a proxy
/// only when one is configured, and the limits every call has.
public struct HTTPClientConfiguration: Sendable {
    /// `serve --ca-file`: extra trusted CA certificates (PEM), in addition to the system store.
    public var caFile: String?
    /// Nil: no proxy at all, whatever the environment says.
    public var proxy: String?
    public var connectTimeoutMilliseconds: Int = 3_000
    public var totalTimeoutMilliseconds: Int = 10_000
    public var maximumResponseBytes: Int = 1 << 20
    /// The response's header lines together, at most.
    public var maximumHeaderBytes: Int = 64 << 10

    public init(caFile: String? = nil, proxy: String? = nil) {
        self.caFile = caFile
        self.proxy = proxy
    }
}

public struct HTTPClientRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }
    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: Method = .get, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct HTTPClientResponse: Sendable {
    public let status: Int
    /// The final response's header fields, in order (a 3xx is a response like any other: redirects are
    /// never followed, the caller decides).
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    /// The first field of that name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = ASCII.lowercased(name)
        return headers.first { ASCII.lowercased($0.name) == wanted }?.value
    }
}

public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case refusedURL, connect, timeout, tls, tooLarge, redirect, protocolError }
    public let kind: Kind
    /// One plain line from libcurl or from the checks here; never a header or a body the server sent.
    public let detail: String

    public init(kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue): \(detail)" }
}

/// Blocking HTTPS calls through libcurl's easy API (TLS by OpenSSL): https only (plain http to this
/// machine only, for tests), certificate and host-name checks always on, connect and total time-outs,
/// a capped response, no redirects followed, no proxy unless configured. One easy handle per call, so
/// any thread may call at once; the caller runs it on the lane for slow work, never a connection thread.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration

    /// `curl_global_init`, once, before threads start (it is not thread-safe in every libcurl build):
    /// the process's entry point calls it; later calls do nothing.
    public static func initializeLibrary() { _ = libraryInitialized }

    public init(configuration: HTTPClientConfiguration) {
        self.configuration = configuration
        Self.initializeLibrary()
    }

    public func send(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
        let scheme = try Self.checkedScheme(request.url)
        for (name, value) in request.headers where !Self.isHeaderSafe(name) || !Self.isHeaderSafe(value, allowSpace: true) {
            throw HTTPClientError(kind: .protocolError, detail: "a request header carries a line break or control character")
        }
        guard let handle = curl_easy_init() else { throw HTTPClientError(kind: .protocolError, detail: "curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        let collector = Collector(maximumBody: configuration.maximumResponseBytes, maximumHeaders: configuration.maximumHeaderBytes)
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        // libcurl would add "Expect: 100-continue" to larger POSTs; providers need no such round trip.
        headerList = curl_slist_append(headerList, "Expect:")

        let code: CURLcode = withExtendedLifetime(collector) {
            errorBuffer.withUnsafeMutableBufferPointer { errors in
                let context = Unmanaged.passUnretained(collector).toOpaque()
                var failed = false
                func set(_ result: CURLcode) { if result != CURLE_OK { failed = true } }
                set(clientone_curl_setopt_string(handle, CURLOPT_URL, request.url))
                set(clientone_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, scheme))
                set(clientone_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, scheme))
                set(clientone_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
                set(clientone_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
                set(clientone_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
                if let caFile = configuration.caFile {
                    // CAINFO replaces the bundle; the system's certificates stay trusted through CAPATH.
                    set(clientone_curl_setopt_string(handle, CURLOPT_CAINFO, caFile))
                    set(clientone_curl_setopt_string(handle, CURLOPT_CAPATH, "/etc/ssl/certs"))
                }
                if let proxy = configuration.proxy {
                    set(clientone_curl_setopt_string(handle, CURLOPT_PROXY, proxy))
                    // Otherwise libcurl takes no_proxy from the environment and goes around the proxy for those hosts.
                    set(clientone_curl_setopt_string(handle, CURLOPT_NOPROXY, ""))
                } else {
                    // libcurl reads http_proxy, https_proxy and all_proxy from the environment: not here.
                    set(clientone_curl_setopt_string(handle, CURLOPT_PROXY, ""))
                    set(clientone_curl_setopt_string(handle, CURLOPT_NOPROXY, "*"))
                }
                set(clientone_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
                // libcurl reads 0 as "no time-out" (and refuses a negative one): a limit of 0 or less stops at once.
                set(clientone_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, configuration.connectTimeoutMilliseconds)))
                set(clientone_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, configuration.totalTimeoutMilliseconds)))
                set(clientone_curl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maximumResponseBytes)))
                set(clientone_curl_setopt_string(handle, CURLOPT_USERAGENT, "ClientOne-Console"))
                set(clientone_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress))
                set(clientone_curl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, receiveBody))
                set(clientone_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
                set(clientone_curl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, receiveHeader))
                set(clientone_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
                set(clientone_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList))
                if request.method == .post {
                    set(clientone_curl_setopt_long(handle, CURLOPT_POST, 1))
                    set(clientone_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
                    // Copied by libcurl (POSTFIELDSIZE bytes); the terminating zero keeps an empty body's pointer valid.
                    var body = request.body
                    body.append(0)
                    set(body.withUnsafeMutableBytes { clientone_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) })
                }
                let result = failed ? CURLE_FAILED_INIT : curl_easy_perform(handle)
                // The buffer is only valid inside this closure; the handle must not keep pointing at it.
                _ = clientone_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
                return result
            }
        }
        guard code == CURLE_OK else {
            throw Self.error(code, buffer: errorBuffer, collector: collector)
        }
        var status = 0
        _ = clientone_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPClientResponse(status: status, headers: collector.headers, body: collector.body)
    }

    // MARK: Checks

    /// The scheme libcurl may use for this URL: "https", or "http" to a loopback host. Refused before any
    /// connection: other schemes, a user name or password, spaces and control characters.
    static func checkedScheme(_ url: String) throws(HTTPClientError) -> String {
        let bytes = Array(url.utf8)
        guard bytes.count <= 8192, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPClientError(kind: .refusedURL, detail: "the URL has spaces, control or non-ASCII characters")
        }
        let lowered = ASCII.lowercased(url)
        let scheme: String
        if lowered.hasPrefix("https://") { scheme = "https" } else if lowered.hasPrefix("http://") { scheme = "http" } else {
            throw HTTPClientError(kind: .refusedURL, detail: "only https:// URLs are called")
        }
        let rest = bytes.dropFirst(scheme.utf8.count + 3)
        let authority = rest.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        guard !authority.contains(UInt8(ascii: "@")) else {
            throw HTTPClientError(kind: .refusedURL, detail: "the URL carries a user name or password")
        }
        let host = hostName(String(decoding: authority, as: UTF8.self))
        guard !host.isEmpty else { throw HTTPClientError(kind: .refusedURL, detail: "the URL has no host") }
        if scheme == "http", !isLoopback(host) {
            throw HTTPClientError(kind: .refusedURL, detail: "plain http is only allowed to this machine (127.0.0.1, ::1, localhost)")
        }
        return scheme
    }

    static func hostName(_ authority: String) -> String {
        if authority.hasPrefix("[") {
            return String(authority.dropFirst().prefix { $0 != "]" })
        }
        return ASCII.lowercased(String(authority.prefix { $0 != ":" }))
    }

    /// Only the canonical dotted-decimal form (127.x.y.z, no sign, no leading zero), which libcurl reads
    /// as the same address: it takes "127.0.0.089" for a host name and looks it up (DNS could answer with
    /// any address), and "127.0.0.0255" for octal.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { part in
            (1...3).contains(part.utf8.count) && part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
                && (part == "0" || part.first != "0") && Int(part).map { $0 <= 255 } == true
        }
    }

    static func isHeaderSafe(_ text: String, allowSpace: Bool = false) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F || (allowSpace && $0 == 0x09) } && (allowSpace || !text.utf8.contains(0x20))
    }

    static func error(_ code: CURLcode, buffer: [CChar], collector: Collector) -> HTTPClientError {
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let line = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init)
            ?? String(cString: curl_easy_strerror(code))
        if collector.exceeded { return HTTPClientError(kind: .tooLarge, detail: collector.exceededDetail) }
        // A header line over libcurl's own limit (100 KiB) never reaches the header callback: libcurl gives
        // up first, calling it "out of memory" before 8.6 and CURLE_TOO_LARGE (100) from then on.
        if code == CURLE_OUT_OF_MEMORY || code.rawValue == 100 {
            return HTTPClientError(kind: .tooLarge, detail: "the response has a part larger than libcurl accepts (\(String(line.prefix(200))))")
        }
        let kind: HTTPClientError.Kind
        switch code {
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .connect
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_USE_SSL_FAILED, CURLE_SSL_CLIENTCERT, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_INVALIDCERTSTATUS:
            kind = .tls
        case CURLE_FILESIZE_EXCEEDED: kind = .tooLarge
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT: kind = .refusedURL
        case CURLE_TOO_MANY_REDIRECTS: kind = .redirect
        default: kind = .protocolError
        }
        return HTTPClientError(kind: kind, detail: String(line.prefix(300)))
    }
}

/// What a call received so far; the callbacks reach it through libcurl's `void *` and stop the
/// transfer (by returning less than they were given) once a cap is passed.
final class Collector {
    let maximumBody: Int
    let maximumHeaders: Int
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var headerBytes = 0
    var exceeded = false
    var exceededDetail = ""

    init(maximumBody: Int, maximumHeaders: Int) {
        self.maximumBody = maximumBody
        self.maximumHeaders = maximumHeaders
    }

    func append(body chunk: UnsafeRawBufferPointer) -> Bool {
        guard body.count + chunk.count <= maximumBody else {
            exceeded = true
            exceededDetail = "the response is larger than \(maximumBody) bytes"
            return false
        }
        body.append(contentsOf: chunk)
        return true
    }

    func append(headerLine chunk: UnsafeRawBufferPointer) -> Bool {
        headerBytes += chunk.count
        guard headerBytes <= maximumHeaders else {
            exceeded = true
            exceededDetail = "the response's header is larger than \(maximumHeaders) bytes"
            return false
        }
        var line = Array(chunk)
        while let last = line.last, last == 0x0A || last == 0x0D { line.removeLast() }
        if line.starts(with: Array("HTTP/".utf8)) {
            // A new response (after a 1xx): only the final one's fields count.
            headers.removeAll()
            return true
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return true }
        let name = String(decoding: line[..<colon], as: UTF8.self)
        let value = String(decoding: line[(colon + 1)...].drop { $0 == 0x20 || $0 == 0x09 }, as: UTF8.self)
        headers.append((name: name, value: value))
        return true
    }
}

private let libraryInitialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

private func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context else { return 0 }
    let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    return collector.append(body: UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context else { return 0 }
    let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    return collector.append(headerLine: UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

enum ASCII {
    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
