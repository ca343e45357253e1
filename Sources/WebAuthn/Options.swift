import Crypto
import Foundation

/// The options a page hands to `PublicKeyCredential.parseCreationOptionsFromJSON` and
/// `parseRequestOptionsFromJSON` (WebAuthn Level 3 §5.1.8–5.1.9), wrapped as `{"publicKey": {...}}`
/// the way `navigator.credentials.create/get` take them. Binary members are base64url strings.
public enum Options {
    /// PublicKeyCredentialCreationOptionsJSON for registering a new credential for `user`.
    /// `exclude` lists the user's existing credentials so an authenticator holding one refuses to make
    /// a second (§5.4 excludeCredentials).
    public static func creation(
        rp: RelyingParty, user: UserEntity, challenge: [UInt8], exclude: [CredentialDescriptor],
        algorithms: [COSEAlgorithm] = [.es256, .edDSA, .rs256], residentKey: String = "preferred",
        userVerification: String = "preferred", attestation: String = "none",
        timeoutMilliseconds: Int = 300_000, hints: [String] = []
    ) -> [UInt8] {
        let options = CreationOptions(
            rp: .init(id: rp.id, name: rp.name),
            user: .init(id: Base64URL.encode(user.id), name: user.name, displayName: user.displayName),
            challenge: Base64URL.encode(challenge),
            pubKeyCredParams: algorithms.map { .init(type: "public-key", alg: $0.rawValue) },
            timeout: timeoutMilliseconds,
            excludeCredentials: exclude.map(DescriptorJSON.init),
            // requireResidentKey is the Level 1 spelling of residentKey "required"; browsers that
            // predate residentKey read only it (§5.4.4).
            authenticatorSelection: .init(residentKey: residentKey, requireResidentKey: residentKey == "required",
                                          userVerification: userVerification),
            attestation: attestation,
            hints: hints.isEmpty ? nil : hints)
        return encode(Wrapper(publicKey: options))
    }

    /// PublicKeyCredentialRequestOptionsJSON for signing in. An empty `allow` asks for a discoverable
    /// credential, which the authenticator picks together with the user.
    public static func request(
        rp: RelyingParty, challenge: [UInt8], allow: [CredentialDescriptor], userVerification: String,
        timeoutMilliseconds: Int = 300_000, hints: [String] = []
    ) -> [UInt8] {
        let options = RequestOptions(
            challenge: Base64URL.encode(challenge),
            timeout: timeoutMilliseconds,
            rpId: rp.id,
            allowCredentials: allow.map(DescriptorJSON.init),
            userVerification: userVerification,
            hints: hints.isEmpty ? nil : hints)
        return encode(Wrapper(publicKey: options))
    }

    /// JSON text with sorted keys, so equal options give equal bytes.
    private static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            // Only strings, integers, booleans and arrays of them are encoded: there is nothing that
            // can fail, so a failure is a broken Foundation and stops the process.
            fatalError("encoding WebAuthn options failed: \(error)")
        }
    }

    /// `{"publicKey": options}`.
    private struct Wrapper<Body: Encodable>: Encodable {
        let publicKey: Body
    }

    /// PublicKeyCredentialCreationOptionsJSON.
    private struct CreationOptions: Encodable {
        let rp: RP
        let user: User
        let challenge: String
        let pubKeyCredParams: [Parameters]
        let timeout: Int
        let excludeCredentials: [DescriptorJSON]
        let authenticatorSelection: Selection
        let attestation: String
        let hints: [String]?

        /// PublicKeyCredentialRpEntity.
        struct RP: Encodable { let id: String; let name: String }
        /// PublicKeyCredentialUserEntityJSON.
        struct User: Encodable { let id: String; let name: String; let displayName: String }
        /// PublicKeyCredentialParameters.
        struct Parameters: Encodable { let type: String; let alg: Int }
        /// AuthenticatorSelectionCriteria.
        struct Selection: Encodable { let residentKey: String; let requireResidentKey: Bool; let userVerification: String }
    }

    /// PublicKeyCredentialRequestOptionsJSON.
    private struct RequestOptions: Encodable {
        let challenge: String
        let timeout: Int
        let rpId: String
        let allowCredentials: [DescriptorJSON]
        let userVerification: String
        let hints: [String]?
    }

    /// PublicKeyCredentialDescriptorJSON; transports are left out when unknown, which lets the browser try all.
    private struct DescriptorJSON: Encodable {
        let type: String
        let id: String
        let transports: [String]?

        init(_ descriptor: CredentialDescriptor) {
            type = "public-key"
            id = Base64URL.encode(descriptor.id)
            transports = descriptor.transports.isEmpty ? nil : descriptor.transports
        }
    }
}
