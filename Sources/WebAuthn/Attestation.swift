import Crypto

/// The attestation object (WebAuthn §6.5.4): `{"fmt": text, "attStmt": map, "authData": bytes}` as one
/// CBOR map with nothing after it.
struct AttestationObject {
    let format: String
    let statement: [(key: CBOR, value: CBOR)]
    let authenticatorData: AuthenticatorData

    init(bytes: [UInt8]) throws(WebAuthnError) {
        let item: CBOR
        do {
            item = try CBOR.decode(bytes)
        } catch {
            throw .malformed("attestationObject: \(error)")
        }
        guard let entries = item.mapEntries else { throw .malformed("attestationObject is not a CBOR map") }
        // The browser builds this map from exactly these three members (§6.5.4), so anything else is not
        // a browser's attestation object.
        let known: Set<CBOR> = [.text("fmt"), .text("attStmt"), .text("authData")]
        guard entries.allSatisfy({ known.contains($0.key) }) else { throw .malformed("attestationObject has unknown members") }
        guard let format = item[.text("fmt")]?.textValue else { throw .malformed("attestationObject.fmt is not text") }
        guard let statement = item[.text("attStmt")]?.mapEntries else { throw .malformed("attestationObject.attStmt is not a map") }
        guard let authData = item[.text("authData")]?.bytesValue else { throw .malformed("attestationObject.authData is not bytes") }
        self.format = format
        self.statement = statement
        authenticatorData = try AuthenticatorData(bytes: authData)
    }
}

/// The attestation statement formats this relying party verifies (§8): "none" and "packed". It
/// establishes no trust in the authenticator model (there is no list of trust anchors): a packed
/// statement is checked for internal consistency only, which is what §7.1 step 21 permits for self
/// attestation and what a console that accepts any authenticator needs.
enum AttestationStatement {
    /// The AAGUID extension of attestation certificates, id-fido-gen-ce-aaguid (§8.2.1).
    static let aaguidExtensionOID = "1.3.6.1.4.1.45724.1.1.4"

    static func verify(_ object: AttestationObject, clientDataHash: [UInt8]) throws(WebAuthnError) {
        switch object.format {
        case "none":
            // §8.7: the statement of "none" is the empty map.
            guard object.statement.isEmpty else { throw .attestationInvalid("a \"none\" statement must be empty") }
        case "packed":
            try verifyPacked(object, clientDataHash: clientDataHash)
        default:
            throw .unsupportedAttestationFormat(object.format)
        }
    }

    /// §8.2.2 verification procedure for "packed": `{alg, sig}` (self attestation) or `{alg, sig, x5c}`.
    private static func verifyPacked(_ object: AttestationObject, clientDataHash: [UInt8]) throws(WebAuthnError) {
        let statement = CBOR.map(object.statement)
        let known: Set<CBOR> = [.text("alg"), .text("sig"), .text("x5c")]
        if statement[.text("ecdaaKeyId")] != nil { throw .attestationInvalid("ECDAA attestation is not supported") }
        guard object.statement.allSatisfy({ known.contains($0.key) }) else { throw .attestationInvalid("packed statement has unknown members") }
        guard let algValue = statement[.text("alg")]?.integerValue else { throw .attestationInvalid("packed alg is not an integer") }
        guard let signature = statement[.text("sig")]?.bytesValue else { throw .attestationInvalid("packed sig is not bytes") }
        guard let credential = object.authenticatorData.attestedCredential else { throw .missingAttestedCredentialData }
        let signed = object.authenticatorData.bytes + clientDataHash

        guard let x5c = statement[.text("x5c")] else {
            // Self attestation: the credential key signs, so alg must be that key's algorithm.
            guard algValue == Int64(credential.publicKey.algorithm.rawValue) else {
                throw .attestationInvalid("alg \(algValue) is not the credential key's \(credential.publicKey.algorithm.rawValue)")
            }
            guard credential.publicKey.verify(signature: signature, message: signed) else { throw .badSignature }
            return
        }

        guard let chain = x5c.arrayValue, let leafBytes = chain.first?.bytesValue,
              chain.allSatisfy({ $0.bytesValue != nil }) else {
            throw .attestationInvalid("x5c is not a non-empty array of certificates")
        }
        guard let algorithm = COSEAlgorithm(rawValue: Int(clamping: algValue)) else { throw .unsupportedAlgorithm(Int(clamping: algValue)) }
        let leaf: Certificate
        let key: PublicKey
        do {
            leaf = try Certificate(der: leafBytes)
            key = try leaf.publicKey()
        } catch {
            throw .attestationInvalid("attestation certificate: \(error.reason)")
        }
        try checkRequirements(of: leaf, aaguid: credential.aaguid)
        guard key.type == expectedKeyType(algorithm) else {
            throw .attestationInvalid("certificate key is \(key.type.rawValue), alg is \(algorithm)")
        }
        guard key.verify(signature: signature, message: signed) else { throw .badSignature }
    }

    /// §8.2.1 "Packed Attestation Statement Certificate Requirements".
    private static func checkRequirements(of certificate: Certificate, aaguid: [UInt8]) throws(WebAuthnError) {
        guard certificate.version == 3 else { throw .attestationInvalid("certificate is not X.509 version 3") }
        for attribute in ["C", "O", "CN"] where certificate.subjectAttributes(attribute).isEmpty {
            throw .attestationInvalid("certificate subject has no \(attribute)")
        }
        guard certificate.subjectAttributes("OU") == ["Authenticator Attestation"] else {
            throw .attestationInvalid("certificate subject OU is not \"Authenticator Attestation\"")
        }
        guard certificate.basicConstraintsCA == false else {
            throw .attestationInvalid("certificate basic constraints missing or CA true")
        }
        switch certificate.extensionValue(oid: aaguidExtensionOID) {
        case .absent:
            break
        case .repeated:
            throw .attestationInvalid("certificate repeats the AAGUID extension")
        case .present(let critical, let value):
            // "MUST NOT be marked as critical"; its value is an OCTET STRING holding the 16-byte AAGUID.
            guard !critical else { throw .attestationInvalid("AAGUID extension is critical") }
            guard value == [0x04, 0x10] + aaguid else { throw .attestationInvalid("certificate AAGUID differs from the authenticator data's") }
        }
    }

    private static func expectedKeyType(_ algorithm: COSEAlgorithm) -> PublicKey.KeyType {
        switch algorithm {
        case .es256: .ecP256
        case .edDSA: .ed25519
        case .rs256: .rsa
        }
    }
}
