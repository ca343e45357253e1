import CMicroHTTPD

/// A ``Response`` turned into a libmicrohttpd response object, ready to queue.
///
/// The body is handed over with `.RESPMEM_MUST_COPY`: libmicrohttpd keeps its own copy, because the
/// Swift array may be freed before the bytes are sent.
struct PreparedResponse {
    let handle: OpaquePointer
    let bodyCount: Int

    /// nil when the response cannot be sent as is: a status outside 200–599, a header name that is not a
    /// token, a value with control characters (header injection), or libmicrohttpd refusing a header.
    /// Content-Length is left to libmicrohttpd, which computes it from the body. One pass over the
    /// headers, handing libmicrohttpd the strings' own C bytes: this runs for every response.
    init?(_ response: Response, closing: Bool) {
        guard (200...599).contains(response.status) else { return nil }
        let created = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                                            .RESPMEM_MUST_COPY)
        }
        guard let created else { return nil }
        for field in response.headers {
            guard ASCII.isToken(field.name), Self.isValidValue(field.value) else {
                MHD_destroy_response(created)
                return nil
            }
            if HTTPHeaders.sameName(field.name, "Content-Length") { continue }
            let added = field.name.withCString { name in
                field.value.withCString { value in MHD_add_response_header(created, name, value) }
            }
            guard added == .YES else {
                MHD_destroy_response(created)
                return nil
            }
        }
        if closing, MHD_add_response_header(created, "Connection", "close") != .YES {
            MHD_destroy_response(created)
            return nil
        }
        handle = created
        bodyCount = response.body.count
    }

    func destroy() { MHD_destroy_response(handle) }

    /// Visible ASCII, spaces, tabs and UTF-8 bytes; never CR, LF, NUL or other controls. Eight bytes at
    /// a time while none of them is below 0x20 or 0x7F (every response's headers are checked, the
    /// Content-Security-Policy alone is 187 bytes), then byte by byte from the first word that has one.
    static func isValidValue(_ value: String) -> Bool {
        value.withUTF8Bytes { bytes in
            var index = 0
            if let base = bytes.baseAddress {
                let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
                while bytes.count - index >= 8 {
                    let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                    // Exact tests: some byte is below 0x20, some byte is 0x7F.
                    let below = (word &- ones &* 0x20) & ~word & highs
                    let delete = ((word ^ (ones &* 0x7F)) &- ones) & ~(word ^ (ones &* 0x7F)) & highs
                    if below | delete != 0 { break }
                    index += 8
                }
            }
            return bytes[index...].allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
        }
    }
}
