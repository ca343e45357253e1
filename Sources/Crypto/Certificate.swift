import COpenSSL

/// A parsed X.509 certificate (RFC 5280), read-only: its subject, extensions and public key, for
/// checks such as WebAuthn's attestation certificate requirements. No chain or validity-period
/// verification happens here; that is trust policy, which belongs to the caller.
public struct Certificate: Sendable {
    let handle: CertificateHandle

    /// Decodes one DER certificate; the input must be exactly that certificate, nothing after it.
    public init(der: [UInt8]) throws(CryptoError) {
        let decoded: OpaquePointer? = withInputBytes(der) { base, count in
            var cursor: UnsafePointer<UInt8>? = base
            let certificate = d2i_X509(nil, &cursor, count)
            guard let certificate, let cursor, cursor == base + count else {
                X509_free(certificate)
                return nil
            }
            return certificate
        }
        guard let certificate = decoded else {
            throw CryptoError.openSSL("d2i_X509", otherwise: "not exactly one DER certificate")
        }
        handle = CertificateHandle(certificate)
    }

    /// The X.509 version as written in certificates: 1, 2 or 3.
    public var version: Int { Int(X509_get_version(handle.certificate)) + 1 }

    /// The certificate's subject public key.
    public func publicKey() throws(CryptoError) -> PublicKey {
        // get0 borrows the certificate's key; the extra reference lets the PublicKey outlive it.
        guard let key = X509_get0_pubkey(handle.certificate), EVP_PKEY_up_ref(key) == 1 else {
            throw CryptoError.openSSL("X509_get0_pubkey", otherwise: "the certificate's public key cannot be decoded")
        }
        return try PublicKey(adopting: key, function: "Certificate.publicKey")
    }

    /// The UTF-8 values of the subject's attributes named `shortName` ("C", "O", "OU", "CN"...),
    /// in the order they appear. Empty when there is none or the name is unknown to OpenSSL.
    public func subjectAttributes(_ shortName: String) -> [String] {
        let nid = OBJ_sn2nid(shortName)
        guard nid != NID_undef, let name = X509_get_subject_name(handle.certificate) else { return [] }
        var values: [String] = []
        var position: Int32 = -1
        while true {
            position = X509_NAME_get_index_by_NID(name, nid, position)
            guard position >= 0 else { break }
            guard let entry = X509_NAME_get_entry(name, position), let data = X509_NAME_ENTRY_get_data(entry) else { continue }
            var output: UnsafeMutablePointer<UInt8>?
            let length = ASN1_STRING_to_UTF8(&output, data)
            guard length >= 0, let output else {
                ERR_clear_error()
                continue
            }
            values.append(String(decoding: UnsafeBufferPointer(start: output, count: Int(length)), as: UTF8.self))
            CRYPTO_free(output, nil, 0)
        }
        return values
    }

    /// The extension identified by the dotted `oid`: whether it is marked critical and its extnValue
    /// (the DER inside the OCTET STRING). Nil when absent; RFC 5280 §4.2 allows one instance of an
    /// extension per certificate, so a repeated one is reported as `.repeated`.
    public func extensionValue(oid: String) -> ExtensionLookup {
        guard let object = OBJ_txt2obj(oid, 1) else {
            ERR_clear_error()
            return .absent
        }
        defer { ASN1_OBJECT_free(object) }
        let index = X509_get_ext_by_OBJ(handle.certificate, object, -1)
        guard index >= 0 else { return .absent }
        guard X509_get_ext_by_OBJ(handle.certificate, object, index) < 0 else { return .repeated }
        guard let extensionEntry = X509_get_ext(handle.certificate, index), let data = X509_EXTENSION_get_data(extensionEntry) else {
            return .absent
        }
        let critical = X509_EXTENSION_get_critical(extensionEntry) == 1
        let length = Int(ASN1_STRING_length(data))
        guard length > 0, let bytes = ASN1_STRING_get0_data(data) else { return .present(critical: critical, value: []) }
        return .present(critical: critical, value: Array(UnsafeBufferPointer(start: bytes, count: length)))
    }

    /// The cA component of the basic constraints extension (RFC 5280 §4.2.1.9), or nil when the
    /// extension is absent, repeated or malformed.
    public var basicConstraintsCA: Bool? {
        guard case .present(_, let value) = extensionValue(oid: "2.5.29.19") else { return nil }
        return Certificate.parseBasicConstraintsCA(value)
    }

    /// Reads `BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }`.
    /// OpenSSL has already decoded the certificate, so only this small structure is read here; in DER
    /// a false cA is omitted (X.690 §11.5), so a sequence that does not start with a BOOLEAN means false.
    static func parseBasicConstraintsCA(_ der: [UInt8]) -> Bool? {
        guard der.count >= 2, der[0] == 0x30, der[1] < 0x80, Int(der[1]) == der.count - 2 else { return nil }
        guard der.count > 2 else { return false }
        guard der[2] == 0x01 else { return der[2] == 0x02 ? false : nil }
        guard der.count >= 5, der[3] == 0x01 else { return nil }
        switch der[4] {
        case 0xFF: return true
        case 0x00: return false
        default: return nil
        }
    }

    /// What `extensionValue(oid:)` found.
    public enum ExtensionLookup: Sendable, Equatable {
        case absent
        case repeated
        case present(critical: Bool, value: [UInt8])
    }
}

/// Owns the `X509` and frees it with the last copy of the `Certificate`. Read-only after
/// construction, which OpenSSL 3 allows from several threads at once, hence `@unchecked Sendable`.
final class CertificateHandle: @unchecked Sendable {
    let certificate: OpaquePointer

    init(_ certificate: OpaquePointer) { self.certificate = certificate }

    deinit { X509_free(certificate) }
}
