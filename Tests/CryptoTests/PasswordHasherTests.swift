import Testing
@testable import Crypto

/// PBKDF2 known answers and the password hash format. Low iteration counts keep the suite fast; one
/// test runs the real default.
@Suite struct PasswordHasherTests {
    private let hasher = PasswordHasher(iterations: 1_000)

    @Test("PBKDF2-HMAC-SHA256 matches the RFC 7914 §11 vector")
    func rfc7914Vector() throws {
        let key = try PasswordHasher.pbkdf2SHA256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, keyLength: 64)
        #expect(Hex.encode(key) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }

    @Test("A hash verifies its password and rejects others")
    func roundTrip() {
        let encoded = hasher.hash("correct horse battery staple")
        #expect(encoded.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(hasher.verify("correct horse battery staple", against: encoded))
        #expect(!hasher.verify("correct horse battery stapler", against: encoded))
        #expect(!hasher.verify("", against: encoded))
        #expect(hasher.hash("same") != hasher.hash("same"), "each hash gets its own salt")
    }

    @Test("Verification uses the iteration count stored in the hash")
    func storedIterations() {
        let encoded = PasswordHasher(iterations: 2_000).hash("pw")
        #expect(hasher.verify("pw", against: encoded))
    }

    @Test("The default hasher uses 600,000 iterations and says so in the encoding")
    func defaultWorkFactor() throws {
        let hasher = PasswordHasher()
        #expect(hasher.iterations == 600_000)
        let fields = hasher.hash("pw").split(separator: "$", omittingEmptySubsequences: false)
        try #require(fields.count == 4)
        #expect(fields[0] == "pbkdf2-sha256")
        #expect(fields[1] == "600000")
        #expect(Base64Codec.decode(String(fields[2]), alphabet: .standard, padded: false)?.count == 16)
        #expect(Base64Codec.decode(String(fields[3]), alphabet: .standard, padded: false)?.count == 32)
    }

    @Test("Passwords are compared after NFKC normalisation")
    func normalisation() {
        #expect(hasher.verify("fi", against: hasher.hash("\u{FB01}")))
        #expect(hasher.verify("caf\u{0065}\u{0301}", against: hasher.hash("caf\u{00E9}")))
        #expect(hasher.verify("caf\u{00E9}", against: hasher.hash("caf\u{0065}\u{0301}")))
        #expect(!hasher.verify("cafe", against: hasher.hash("caf\u{00E9}")))
    }

    @Test("Malformed encodings fail verification without crashing")
    func malformed() {
        let good = hasher.hash("pw")
        let fields = good.split(separator: "$").map(String.init)
        let salt = fields[2], key = fields[3]
        let candidates = [
            "", "$$$", "pbkdf2-sha256", good + "$", "x" + good,
            "pbkdf2-sha1$1000$\(salt)$\(key)",
            "pbkdf2-sha256$0$\(salt)$\(key)",
            "pbkdf2-sha256$10000001$\(salt)$\(key)",
            "pbkdf2-sha256$99999999999999999999$\(salt)$\(key)",
            "pbkdf2-sha256$-1000$\(salt)$\(key)",
            "pbkdf2-sha256$+1000$\(salt)$\(key)",
            "pbkdf2-sha256$01000$\(salt)$\(key)",
            "pbkdf2-sha256$abc$\(salt)$\(key)",
            "pbkdf2-sha256$1000$$\(key)",
            "pbkdf2-sha256$1000$\(salt)$",
            "pbkdf2-sha256$1000$\(salt)==$\(key)",
            "pbkdf2-sha256$1000$\(salt)$\(key)A",
            "pbkdf2-sha256$1000$\(salt)$\(key.dropLast(4))",
            "pbkdf2-sha256$1000$!!!!$\(key)",
        ]
        for candidate in candidates {
            #expect(!hasher.verify("pw", against: candidate), "\(candidate)")
        }
    }

    @Test("needsRehash flags weaker or unreadable hashes only")
    func rehash() {
        let strong = PasswordHasher(iterations: 2_000)
        #expect(strong.needsRehash(hasher.hash("pw")))
        #expect(!strong.needsRehash(strong.hash("pw")))
        #expect(!hasher.needsRehash(strong.hash("pw")))
        #expect(strong.needsRehash("not a hash"))
        #expect(strong.needsRehash("bcrypt$2b$12$abc"))
    }

    @Test("dummyVerify does real work comparable to a verification")
    func dummyVerifyCost() {
        let slow = PasswordHasher(iterations: 100_000)
        let encoded = slow.hash("pw")
        let clock = ContinuousClock()
        // Fastest real run against slowest dummy run, with a generous factor: the machine is shared,
        // so only a dummy that skips the work should fail this.
        let real = (0..<3).map { _ in clock.measure { _ = slow.verify("pw", against: encoded) } }.min()!
        let dummy = (0..<3).map { _ in clock.measure { slow.dummyVerify("pw") } }.max()!
        #expect(dummy > real / 4)
    }
}
