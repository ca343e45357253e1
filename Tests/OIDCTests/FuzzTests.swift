import Crypto
import Testing
import TestSupport
@testable import OIDC

/// Seeded random mutations of the fixture tokens, discovery documents and key sets. Beyond "no crash,
/// no hang", a mutated token must never verify: everything in it is signed, and the compact form has
/// one spelling, so only an edit that undid itself may pass.
@Suite struct FuzzTests {
    static let iterations = 20_000
    static let seed: UInt64 = 0x4F49_4443_5445_5354

    @Test("20,000 mutated tokens, documents and key sets each end in a result or an error, and no altered token verifies")
    func mutations() {
        var random = SeededGenerator(seed: Self.seed)
        let cases = Fixtures.shared.cases
        let clock = ContinuousClock()
        let started = clock.now
        var accepted = 0
        for iteration in 0..<Self.iterations {
            let fixture = cases[Int.random(in: 0..<cases.count, using: &random)]
            switch iteration % 4 {
            case 0, 1:
                // The compact text itself, byte by byte.
                let text = String(decoding: Self.mutate(Array(fixture.token.utf8), using: &random), as: UTF8.self)
                if (try? Fixtures.verify(text, like: fixture)) != nil {
                    accepted += 1
                    #expect(text == fixture.token && fixture.expect == "ok", "\(fixture.name): an altered token verified")
                }
            case 2:
                // Header or claims decoded, mutated as JSON, encoded again with the original signature.
                var parts = fixture.token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3 else { continue }
                let index = Int.random(in: 0...1, using: &random)
                guard let decoded = Base64URL.decode(parts[index]) else { continue }
                let mutated = Self.mutate(decoded, using: &random)
                parts[index] = Base64URL.encode(mutated)
                let text = parts.joined(separator: ".")
                if (try? Fixtures.verify(text, like: fixture)) != nil {
                    #expect(mutated == decoded && fixture.expect == "ok", "\(fixture.name): an altered header or payload verified")
                }
            default:
                // The documents the provider serves.
                let document = Self.mutate(iteration % 8 == 3 ? Fixtures.discoveryJSON(["plain", "entra"][iteration % 16 == 3 ? 0 : 1])
                                                            : Fixtures.keySetJSON(["main", "rotated"][iteration % 16 == 7 ? 0 : 1]), using: &random)
                _ = JSONValue.parse(document)
                _ = try? ProviderMetadata(json: document, configuredIssuer: Fixtures.shared.issuers["plain"]!, tenantID: nil)
                _ = try? JSONWebKeySet(json: document)
            }
        }
        #expect(accepted > 0, "some mutations undo themselves or leave the token as it was; none at all means the loop did not verify")
        #expect(clock.now - started < .seconds(120))
    }

    /// One to four random edits: a bit flip, a special byte, an insertion, a deletion, a cut, a repeat.
    static func mutate(_ input: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty: bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1 where !bytes.isEmpty:
                bytes[position] = Array("=.+/-_\"{}[],:\\ 0\u{0}".utf8).randomElement(using: &random) ?? 0
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
