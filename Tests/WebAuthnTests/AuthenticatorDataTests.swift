import Crypto
import Testing
@testable import WebAuthn

/// Authenticator data: fields, flags, and every way its length can disagree with its flags.
@Suite struct AuthenticatorDataTests {
    static let rpIDHash = Digest.sha256(Array("localhost".utf8))

    /// The authenticator data inside a registration fixture.
    static func registrationData(_ name: String) throws -> [UInt8] {
        guard case .object(let top) = Fixtures.registration(name).credential, case .object(let response)? = top["response"],
              case .string(let text)? = response["authenticatorData"], let bytes = Base64URL.decode(text) else {
            throw WebAuthnError.malformed("fixture \(name) has no authenticatorData")
        }
        return bytes
    }

    static func header(flags: UInt8, count: UInt32 = 0) -> [UInt8] {
        rpIDHash + [flags] + [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
    }

    @Test("the fields of python-fido2's authenticator data are read back")
    func fields() throws {
        let fixture = Fixtures.registration("packed-x5c-es256")
        let data = try AuthenticatorData(bytes: try Self.registrationData("packed-x5c-es256"))
        #expect(data.rpIDHash == Self.rpIDHash)
        #expect(data.flags.rawValue == fixture.flags)
        #expect(data.flags == [.userPresent, .userVerified, .attestedCredentialData])
        #expect(data.signCount == 3)
        let credential = try #require(data.attestedCredential)
        #expect(Hex.encode(credential.aaguid) == fixture.aaguid)
        #expect(Base64URL.encode(credential.credentialID) == fixture.credentialID)
        #expect(Base64URL.encode(credential.publicKeyBytes) == fixture.publicKey)
        #expect(data.extensions == nil)
    }

    @Test("extensions after the credential public key are separated from it")
    func extensionsAfterKey() throws {
        let data = try AuthenticatorData(bytes: try Self.registrationData("none-es256-extensions"))
        #expect(data.flags.contains(.extensionData))
        #expect(data.extensions?[.text("credProtect")] == .unsigned(2))
        #expect(data.attestedCredential?.publicKey.algorithm == .es256)
    }

    @Test("the counter is big-endian and a bare 37-byte structure is complete")
    func headerOnly() throws {
        let data = try AuthenticatorData(bytes: Self.header(flags: 0x05, count: 0x0102_0304))
        #expect(data.signCount == 16_909_060)
        #expect(data.flags == [.userPresent, .userVerified])
        #expect(data.attestedCredential == nil)
    }

    @Test("shorter than 37 bytes is malformed at every length")
    func tooShort() {
        let full = Self.header(flags: 0x01)
        for length in 0..<full.count {
            #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: Array(full.prefix(length))) }
        }
    }

    @Test("the AT flag without attested credential data is malformed")
    func attestedFlagWithoutData() {
        #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: Self.header(flags: 0x41)) }
        #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: Self.header(flags: 0x41) + [UInt8](repeating: 0, count: 17)) }
    }

    @Test("attested credential data without the AT flag is malformed")
    func dataWithoutAttestedFlag() throws {
        var bytes = try Self.registrationData("none-es256")
        bytes[32] &= ~0x40
        #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: bytes) }
    }

    @Test("trailing bytes after the credential or the extensions are malformed")
    func trailingGarbage() throws {
        #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: try Self.registrationData("none-es256") + [0x00]) }
        #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: try Self.registrationData("none-es256-extensions") + [0xA0]) }
        #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: Self.header(flags: 0x01) + [0x00]) }
    }

    @Test("the ED flag needs exactly one CBOR map after the rest")
    func extensionFlag() throws {
        #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: Self.header(flags: 0x81)) }
        #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: Self.header(flags: 0x81) + [0x80]) }
        #expect(try AuthenticatorData(bytes: Self.header(flags: 0x81) + [0xA0]).extensions == .map([]))
        var withoutFlag = try Self.registrationData("none-es256-extensions")
        withoutFlag[32] &= ~0x80
        #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: withoutFlag) }
    }

    @Test("backup state without backup eligibility is refused")
    func backupState() throws {
        #expect(throws: WebAuthnError.backupStateWithoutEligibility) { try AuthenticatorData(bytes: Self.header(flags: 0x11)) }
        let data = try AuthenticatorData(bytes: Self.header(flags: 0x19))
        #expect(data.flags.isSuperset(of: [.backupEligible, .backedUp]))
    }

    @Test("a credential ID length over 1023 is refused before reading it; a short one is truncated")
    func credentialIDLength() {
        let aaguid = [UInt8](repeating: 0, count: 16)
        let tooLong = Self.header(flags: 0x41) + aaguid + [0x04, 0x00] + [UInt8](repeating: 1, count: 1024)
        #expect(throws: WebAuthnError.credentialIDTooLong(1024)) { try AuthenticatorData(bytes: tooLong) }
        let truncated = Self.header(flags: 0x41) + aaguid + [0x00, 0x20] + [UInt8](repeating: 1, count: 16)
        #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: truncated) }
        let noKey = Self.header(flags: 0x41) + aaguid + [0x00, 0x02, 0x01, 0x02]
        #expect(throws: WebAuthnError.self) { try AuthenticatorData(bytes: noKey) }
    }
}

extension RegistrationFixture {
    /// The rawId member, still base64url.
    var credentialID: String {
        guard case .object(let top) = credential, case .string(let text)? = top["rawId"] else { return "" }
        return text
    }
}
