import Testing
@testable import WebAuthn

/// The fixture file covers what the brief asks of it, so a regenerated file cannot silently drop a case.
@Suite struct FixtureCoverageTests {
    @Test("the responses cover all algorithms, both formats, UV on and off, BE/BS and every refusal")
    func coverage() {
        let fixtures = Fixtures.shared
        let valid = fixtures.registrations.filter { $0.error == nil }
        #expect(Set(valid.map(\.algorithm)) == Set(COSEAlgorithm.allCases.map(\.rawValue)))
        #expect(Set(valid.map(\.format)) == ["none", "packed"])
        #expect(valid.contains { $0.format == "packed" && $0.name.contains("x5c") })
        #expect(Set(valid.map { $0.flags & 0x04 != 0 }) == [true, false], "UV on and off")
        #expect(valid.contains { $0.flags & 0x18 == 0x18 } && valid.contains { $0.flags & 0x18 == 0x08 }, "BE with and without BS")
        #expect(valid.contains { $0.flags & 0x80 != 0 }, "extensions after the credential key")
        let registrationErrors = Set(fixtures.registrations.compactMap(\.error))
        #expect(registrationErrors.isSuperset(of: ["clientDataTypeMismatch", "challengeMismatch", "originMismatch", "crossOriginRefused",
                                                   "rpIDHashMismatch", "userNotPresent", "userNotVerified", "algorithmNotAllowed",
                                                   "badSignature", "attestationInvalid", "unsupportedAttestationFormat",
                                                   "backupStateWithoutEligibility"]))
        let authenticationErrors = Set(fixtures.authentications.compactMap(\.error))
        #expect(authenticationErrors.isSuperset(of: ["clientDataTypeMismatch", "challengeMismatch", "originMismatch", "crossOriginRefused",
                                                     "rpIDHashMismatch", "userNotPresent", "userNotVerified", "badSignature"]))
        let steps = fixtures.sequences.flatMap(\.steps)
        #expect(steps.contains { $0.error == "signCountRegressed" })
        #expect(steps.contains { $0.signCount == 0 && $0.error == nil } && steps.contains { $0.signCount > 1 && $0.error == nil })
        #expect(fixtures.generator.hasPrefix("python-fido2 "))
        #expect(Set(fixtures.tools.keys) == ["fido2", "cryptography", "python", "openssl"])
        #expect(fixtures.rp.id == "localhost" && fixtures.rp.origin == "http://localhost:8080")
    }

    @Test("python-fido2 reached the same verdict wherever it checks the same thing")
    func independentVerdicts() {
        let all = Fixtures.shared.registrations.map { ($0.error, $0.fido2Verdict) }
            + (Fixtures.shared.authentications + Fixtures.shared.sequences.flatMap(\.steps)).map { ($0.error, $0.fido2Verdict) }
        for (error, verdict) in all where !verdict.hasPrefix("not checked") {
            #expect((error == nil) == (verdict == "accepted"), "\(verdict)")
        }
        #expect(all.filter { !$0.1.hasPrefix("not checked") }.count >= 35)
    }
}
