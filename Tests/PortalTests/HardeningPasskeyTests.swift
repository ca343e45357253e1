import COpenSSL
import Crypto
import Foundation
import Testing
import TestSupport

/// Attacks on passkey registration through the running console: Ed25519 keys with which forged
/// signatures verify for any message.
@Suite struct HardeningPasskeyTests {
    /// A registration answer ("none" attestation) for creation options, carrying the Ed25519 key `x`
    /// as its credential public key, the way a hostile authenticator could.
    static func ed25519Registration(options json: [UInt8], origin: String, x: [UInt8]) throws -> [String: Any] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        let options = try #require(object["publicKey"] as? [String: Any])
        let rpID = try #require((options["rp"] as? [String: Any])?["id"] as? String)
        let challenge = try #require(options["challenge"] as? String)
        let id = SecureRandom.bytes(count: 16)
        let clientData = Array("{\"type\":\"webauthn.create\",\"challenge\":\"\(challenge)\",\"origin\":\"\(origin)\"}".utf8)
        let cose = CBORWrite.map([(CBORWrite.int(1), CBORWrite.int(1)), (CBORWrite.int(3), CBORWrite.int(-8)),
                                  (CBORWrite.int(-1), CBORWrite.int(6)), (CBORWrite.int(-2), CBORWrite.bytes(x))])
        // UP, UV and AT; counter 0; a zero AAGUID.
        let authData = Digest.sha256(Array(rpID.utf8)) + [0x45, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 16)
            + [0, UInt8(id.count)] + id + cose
        let attestation = CBORWrite.map([(CBORWrite.text("fmt"), CBORWrite.text("none")), (CBORWrite.text("attStmt"), CBORWrite.map([])),
                                         (CBORWrite.text("authData"), CBORWrite.bytes(authData))])
        return ["id": Base64URL.encode(id), "rawId": Base64URL.encode(id), "type": "public-key", "clientExtensionResults": [String: Any](),
                "response": ["clientDataJSON": Base64URL.encode(clientData), "attestationObject": Base64URL.encode(attestation),
                             "transports": ["usb"]]]
    }

    static func register(_ console: TestConsole, _ browser: HTTPClient, x: [UInt8]) throws -> HTTPResponse {
        let begin = try console.ceremony(browser, "/portal/profile/security/passkeys/begin", from: "/portal/profile/security")
        try #require(begin.status == 200)
        let credential = try ed25519Registration(options: begin.body, origin: console.origin, x: x)
        return try console.ceremony(browser, "/portal/profile/security/passkeys/finish", from: "/portal/profile/security",
                                    body: ["credential": credential, "name": "Hostile key"])
    }

    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    @Test("A passkey whose Ed25519 key is the identity, another small-order point or y ≥ p is refused with a clear error",
          arguments: ["0100000000000000000000000000000000000000000000000000000000000000",
                      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                      "0000000000000000000000000000000000000000000000000000000000000080",
                      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
                      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
                      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"])
    func weakEd25519KeyRefused(_ key: String) throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let answer = try Self.register(console, browser, x: Self.hex(key))
        #expect(answer.status == 400)
        #expect(answer.object["error"] as? String
                == "This key offered a public key that is not safe to use, so it was not added. Use another key.")
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials") == 0)
        #expect(try console.auditKinds("passkey_added") == 0)
    }

    @Test("A genuine Ed25519 passkey, made the same way, is still added")
    func genuineEd25519KeyAdded() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let context = try #require(EVP_PKEY_CTX_new_from_name(nil, "ED25519", nil))
        defer { EVP_PKEY_CTX_free(context) }
        var made: OpaquePointer?
        try #require(EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_generate(context, &made) == 1)
        let key = try #require(made)
        defer { EVP_PKEY_free(key) }
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        try #require(EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1)
        let answer = try Self.register(console, try console.signedIn(), x: raw)
        #expect(answer.status == 200, "\(answer.text)")
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials WHERE algorithm = -8") == 1)
    }
}
