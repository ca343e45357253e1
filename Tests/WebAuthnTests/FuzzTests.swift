import Testing
import TestSupport
@testable import WebAuthn

/// Seeded random mutations of the fixtures through every parser and both verifiers. Beyond "no
/// crash, no hang" (each input ends in a result or an error), a mutated assertion must never pass.
@Suite struct FuzzTests {
    static let iterations = 20_000
    static let seed: UInt64 = 0x5745_4241_5554_484E

    /// Inputs to mutate: registration and assertion responses, plus their inner CBOR.
    struct Corpus {
        let registrations: [(RegistrationFixture, RegistrationCredential)]
        let authentications: [(AuthenticationFixture, AuthenticationCredential)]

        init() throws {
            registrations = try Fixtures.shared.registrations.map { ($0, try $0.decoded()) }
            authentications = try Fixtures.shared.authentications.map { ($0, try $0.decoded()) }
        }
    }

    @Test("20,000 mutated responses each end in a result or an error, within a time bound")
    func mutatedResponses() throws {
        let corpus = try Corpus()
        var random = SeededGenerator(seed: Self.seed)
        var outcomes = (accepted: 0, refused: 0, unchanged: 0)
        let clock = ContinuousClock()
        let started = clock.now
        for iteration in 0..<Self.iterations {
            let accepted: Bool
            // Whether the edits left the response as it was, and then whether the fixture is a valid one.
            let unchanged: Bool, valid: Bool
            switch iteration % 4 {
            case 0, 1:
                let (fixture, credential) = corpus.registrations[Int.random(in: 0..<corpus.registrations.count, using: &random)]
                let object = Self.mutate(credential.response.attestationObject, using: &random)
                unchanged = object == credential.response.attestationObject
                valid = fixture.error == nil
                _ = try? CBOR.decode(object)
                accepted = (try? fixture.verify(RegistrationTests.credential(credential, attestationObject: object))) != nil
            case 2:
                let (fixture, credential) = corpus.authentications[Int.random(in: 0..<corpus.authentications.count, using: &random)]
                let data = Self.mutate(credential.response.authenticatorData, using: &random)
                unchanged = data == credential.response.authenticatorData
                valid = fixture.error == nil
                _ = try? AuthenticatorData(bytes: data)
                accepted = (try? fixture.verify(AuthenticationTests.credential(credential, authenticatorData: data))) != nil
                // Everything in an assertion is signed: only an edit that undid itself may pass.
                #expect(!accepted || data == credential.response.authenticatorData)
            default:
                let (fixture, credential) = corpus.authentications[Int.random(in: 0..<corpus.authentications.count, using: &random)]
                let signature = Self.mutate(credential.response.signature, using: &random)
                let clientData = Bool.random(using: &random) ? Self.mutate(credential.response.clientDataJSON, using: &random)
                                                            : credential.response.clientDataJSON
                unchanged = signature == credential.response.signature && clientData == credential.response.clientDataJSON
                valid = fixture.error == nil
                let mutated = AuthenticationTests.credential(credential, signature: signature, clientDataJSON: clientData)
                accepted = (try? fixture.verify(mutated)) != nil
                #expect(!accepted || (signature == credential.response.signature && clientData == credential.response.clientDataJSON))
                _ = try? COSEKey(bytes: Self.mutate(fixture.publicKeyBytes, using: &random))
            }
            if accepted { outcomes.accepted += 1 } else { outcomes.refused += 1 }
            if unchanged {
                // Edits that undid themselves leave the fixture as it was, which must get the fixture's own
                // verdict: the verifiers keep no state between calls.
                outcomes.unchanged += 1
                #expect(accepted == valid, "iteration \(iteration): an unchanged response got another verdict than its fixture's")
            }
        }
        let elapsed = clock.now - started
        // Some edits leave a response valid (an edit a later one undid, a byte of a registration no
        // signature covers): with none accepted, the verifiers would be refusing everything.
        #expect(outcomes.accepted > 0, "no mutated response verified: \(outcomes)")
        #expect(outcomes.unchanged > 0, "no edits undid themselves, so the verdict check above never ran: \(outcomes)")
        #expect(outcomes.refused > Self.iterations / 2, "most mutations break something")
        #expect(elapsed < .seconds(120), "bounded time: \(elapsed)")
    }

    @Test("random byte strings and CBOR-looking noise never crash the decoder")
    func noise() {
        var random = SeededGenerator(seed: Self.seed ^ 0xFF)
        for _ in 0..<5_000 {
            let length = Int.random(in: 0..<64, using: &random)
            // Bias towards container and length heads, which reach the decoder's bounds checks.
            let heads: [UInt8] = [0x5B, 0x7B, 0x9B, 0xBB, 0x9F, 0xBF, 0x81, 0xA1, 0x18, 0x38, 0x59, 0xF9]
            let bytes = (0..<length).map { _ in
                Bool.random(using: &random) ? heads[Int.random(in: 0..<heads.count, using: &random)] : UInt8.random(in: 0...255, using: &random)
            }
            _ = try? CBOR.decode(bytes)
            _ = try? CBOR.decodePrefix(bytes, limits: .canonical)
            _ = try? AuthenticatorData(bytes: AuthenticatorDataTests.header(flags: bytes.first ?? 0) + bytes)
        }
    }

    /// One to four random edits: bit flips, byte overwrites, insertions, deletions, truncation, or
    /// a repeated slice.
    static func mutate(_ input: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty: bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1 where !bytes.isEmpty: bytes[position] = [0x00, 0xFF, 0x7F, 0x80, 0x1B, 0x5B, 0x9F, 0xBF].randomElement(using: &random) ?? 0
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
            case 3 where !bytes.isEmpty: bytes.remove(at: position)
            case 4: bytes = Array(bytes.prefix(position))
            default:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            }
        }
        return bytes
    }
}
