import COpenSSL
import Crypto
import Foundation
import Testing

/// A software security key for the HTTP tests: it reads the options the console sends, makes P-256
/// (ES256) credentials with OpenSSL, and answers the way a browser's `credential.toJSON()` does, with
/// "none" attestation. It shares no code with the WebAuthn target (its own CBOR writer, its own
/// authenticator data), so the console's verifier is checked against an independent producer.
final class SoftAuthenticator: @unchecked Sendable {
    struct Credential {
        let id: [UInt8]
        let key: OpaquePointer
        let rpID: String
        let userHandle: [UInt8]
        var counter: UInt32
    }

    private(set) var credentials: [Credential] = []
    /// Whether the authenticator verifies its user (the UV flag).
    var verifiesUser = true
    /// Whether its credentials are synced passkeys (BE and BS flags).
    var synced = false
    /// Counters start here and grow by one per use; 0 keeps them at zero (no counter).
    var countsUses = true

    deinit { credentials.forEach { EVP_PKEY_free($0.key) } }

    // MARK: Ceremonies

    /// Answers creation options (`{"publicKey": …}`) as `navigator.credentials.create` + `toJSON()`.
    func register(options json: [UInt8], origin: String) throws -> [String: Any] {
        let options = try Self.publicKey(json)
        let rp = options["rp"] as? [String: Any] ?? [:]
        let user = options["user"] as? [String: Any] ?? [:]
        let rpID = rp["id"] as? String ?? ""
        let excluded = (options["excludeCredentials"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        if credentials.contains(where: { excluded.contains(Base64URL.encode($0.id)) }) {
            throw TestFailure("InvalidStateError: the authenticator already holds an excluded credential")
        }
        let key = try Self.generateP256()
        let id = SecureRandom.bytes(count: 16)
        let credential = Credential(id: id, key: key, rpID: rpID,
                                    userHandle: Base64URL.decode(user["id"] as? String ?? "") ?? [], counter: 0)
        credentials.append(credential)
        let clientData = Self.clientData(type: "webauthn.create", challenge: options["challenge"] as? String ?? "", origin: origin)
        let authData = authenticatorData(rpID: rpID, counter: 0, attested: (id, try Self.coseKey(key)))
        let attestation = CBORWrite.map([
            (CBORWrite.text("fmt"), CBORWrite.text("none")),
            (CBORWrite.text("attStmt"), CBORWrite.map([])),
            (CBORWrite.text("authData"), CBORWrite.bytes(authData)),
        ])
        return [
            "id": Base64URL.encode(id), "rawId": Base64URL.encode(id), "type": "public-key",
            "authenticatorAttachment": "cross-platform", "clientExtensionResults": [String: Any](),
            "response": ["clientDataJSON": Base64URL.encode(clientData), "attestationObject": Base64URL.encode(attestation),
                         "transports": ["usb"]],
        ]
    }

    /// Answers request options as `navigator.credentials.get` + `toJSON()`, with the first credential the
    /// options allow (any of this RP's for a discoverable request). `counter` forces the signed counter.
    func authenticate(options json: [UInt8], origin: String, counter forced: UInt32? = nil,
                      userHandle: [UInt8]? = nil) throws -> [String: Any] {
        let options = try Self.publicKey(json)
        let rpID = options["rpId"] as? String ?? ""
        let allowed = (options["allowCredentials"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        guard let index = credentials.firstIndex(where: { $0.rpID == rpID && (allowed.isEmpty || allowed.contains(Base64URL.encode($0.id))) })
        else { throw TestFailure("NotAllowedError: no credential for \(rpID)") }
        if countsUses { credentials[index].counter += 1 }
        let credential = credentials[index]
        let counter = forced ?? credential.counter
        let clientData = Self.clientData(type: "webauthn.get", challenge: options["challenge"] as? String ?? "", origin: origin)
        let authData = authenticatorData(rpID: rpID, counter: counter, attested: nil)
        let signature = try Self.sign(authData + Digest.sha256(clientData), with: credential.key)
        return [
            "id": Base64URL.encode(credential.id), "rawId": Base64URL.encode(credential.id), "type": "public-key",
            "authenticatorAttachment": "cross-platform", "clientExtensionResults": [String: Any](),
            "response": ["clientDataJSON": Base64URL.encode(clientData), "authenticatorData": Base64URL.encode(authData),
                         "signature": Base64URL.encode(signature),
                         "userHandle": Base64URL.encode(userHandle ?? credential.userHandle)],
        ]
    }

    // MARK: Parts

    private func authenticatorData(rpID: String, counter: UInt32, attested: (id: [UInt8], key: [UInt8])?) -> [UInt8] {
        var flags: UInt8 = 0x01
        if verifiesUser { flags |= 0x04 }
        if synced { flags |= 0x08 | 0x10 }
        if attested != nil { flags |= 0x40 }
        var data = Digest.sha256(Array(rpID.utf8)) + [flags]
        data += withUnsafeBytes(of: counter.bigEndian, Array.init)
        if let attested {
            data += [UInt8](repeating: 0, count: 16)
            data += withUnsafeBytes(of: UInt16(attested.id.count).bigEndian, Array.init)
            data += attested.id + attested.key
        }
        return data
    }

    private static func clientData(type: String, challenge: String, origin: String) -> [UInt8] {
        Array("{\"type\":\"\(type)\",\"challenge\":\"\(challenge)\",\"origin\":\"\(origin)\",\"crossOrigin\":false}".utf8)
    }

    private static func publicKey(_ json: [UInt8]) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let options = object["publicKey"] as? [String: Any] else { throw TestFailure("options are not {\"publicKey\": …}") }
        return options
    }

    private static func generateP256() throws -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw TestFailure("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
              EVP_PKEY_generate(context, &key) == 1, let key else { throw TestFailure("P-256 key generation failed") }
        return key
    }

    /// The COSE_Key of a P-256 public key, canonical order (1, 3, -1, -2, -3).
    private static func coseKey(_ key: OpaquePointer) throws -> [UInt8] {
        var point = [UInt8](repeating: 0, count: 65)
        var length = 0
        guard EVP_PKEY_get_octet_string_param(key, "pub", &point, point.count, &length) == 1, length == 65 else {
            throw TestFailure("could not read the public point")
        }
        return CBORWrite.map([
            (CBORWrite.int(1), CBORWrite.int(2)), (CBORWrite.int(3), CBORWrite.int(-7)), (CBORWrite.int(-1), CBORWrite.int(1)),
            (CBORWrite.int(-2), CBORWrite.bytes(Array(point[1..<33]))), (CBORWrite.int(-3), CBORWrite.bytes(Array(point[33..<65]))),
        ])
    }

    private static func sign(_ message: [UInt8], with key: OpaquePointer) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw TestFailure("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        var length = 0
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1,
              EVP_DigestSign(context, nil, &length, message, message.count) == 1 else { throw TestFailure("EVP_DigestSign size") }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else { throw TestFailure("EVP_DigestSign") }
        return Array(signature.prefix(length))
    }
}

/// The little CBOR the authenticator writes (RFC 8949 definite lengths).
enum CBORWrite {
    static func head(_ major: UInt8, _ value: UInt64) -> [UInt8] {
        switch value {
        case 0..<24: return [major << 5 | UInt8(value)]
        case 24..<256: return [major << 5 | 24, UInt8(value)]
        case 256..<65_536: return [major << 5 | 25] + withUnsafeBytes(of: UInt16(value).bigEndian, Array.init)
        default: return [major << 5 | 26] + withUnsafeBytes(of: UInt32(value).bigEndian, Array.init)
        }
    }
    static func int(_ value: Int) -> [UInt8] { value >= 0 ? head(0, UInt64(value)) : head(1, UInt64(-1 - value)) }
    static func bytes(_ value: [UInt8]) -> [UInt8] { head(2, UInt64(value.count)) + value }
    static func text(_ value: String) -> [UInt8] { head(3, UInt64(value.utf8.count)) + Array(value.utf8) }
    static func map(_ entries: [([UInt8], [UInt8])]) -> [UInt8] {
        head(5, UInt64(entries.count)) + entries.flatMap { $0.0 + $0.1 }
    }
}
