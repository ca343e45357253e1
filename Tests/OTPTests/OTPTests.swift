import Crypto
import Foundation
import OTP
import Testing
import TestSupport

@Suite struct HOTPTests {
    static let rfc4226Secret = Array("12345678901234567890".utf8)
    static let rfc4226Codes = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]

    @Test("RFC 4226 Appendix D: counters 0 to 9", arguments: 0..<10)
    func rfc4226(counter: Int) {
        let otp = OneTimePassword(secret: Self.rfc4226Secret)
        #expect(otp.hotp(counter: UInt64(counter)) == Self.rfc4226Codes[counter])
    }
}

@Suite struct TOTPTests {
    /// RFC 6238 Appendix B: 8 digits, a seed of the hash's own length per algorithm.
    static let seeds: [(HashAlgorithm, [UInt8])] = [
        (.sha1, Array("12345678901234567890".utf8)),
        (.sha256, Array("12345678901234567890123456789012".utf8)),
        (.sha512, Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)),
    ]
    static let vectors: [(Int64, [String])] = [
        (59, ["94287082", "46119246", "90693936"]),
        (1_111_111_109, ["07081804", "68084774", "25091201"]),
        (1_111_111_111, ["14050471", "67062674", "99943326"]),
        (1_234_567_890, ["89005924", "91819424", "93441116"]),
        (2_000_000_000, ["69279037", "90698825", "38618901"]),
        (20_000_000_000, ["65353130", "77737706", "47863826"]),
    ]

    @Test("RFC 6238 Appendix B for SHA-1, SHA-256 and SHA-512")
    func rfc6238() {
        for (time, codes) in Self.vectors {
            for (index, (algorithm, seed)) in Self.seeds.enumerated() {
                let otp = OneTimePassword(secret: seed, algorithm: algorithm, digits: 8)
                #expect(otp.totp(at: time) == codes[index], "t=\(time) \(algorithm)")
            }
        }
    }

    @Test("A code matches its own step and one step either side, nothing further")
    func window() {
        let otp = OneTimePassword(secret: Array("12345678901234567890".utf8))
        let now: Int64 = 1_800_000_015
        let code = otp.totp(at: now)
        #expect(otp.matchingStep(code, at: now) == otp.step(at: now))
        #expect(otp.matchingStep(code, at: now + 30) == otp.step(at: now))
        #expect(otp.matchingStep(code, at: now - 30) == otp.step(at: now))
        #expect(otp.matchingStep(code, at: now + 60) == nil)
        #expect(otp.matchingStep(code, at: now - 60) == nil)
    }

    @Test("Malformed codes never match", arguments: ["", "12345", "1234567", "12345a", " 123456", "１２３４５６"])
    func malformed(code: String) {
        let otp = OneTimePassword(secret: Array("12345678901234567890".utf8))
        #expect(otp.matchingStep(code, at: 59) == nil)
    }

    @Test("Agrees with oathtool on random secrets and times")
    func oathtoolAgrees() throws {
        for round in 0..<8 {
            let secret = SecureRandom.bytes(count: 20)
            let time = Int64(1_600_000_000 + round * 7_777_777)
            let output = try ExternalTool.oathtool.run(["--totp", "-b", "-N", "@\(time)", Base32.encode(secret)]).stdout
            #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == OneTimePassword(secret: secret).totp(at: time))
        }
    }

    @Test("The oracle's documented example: oathtool at 1234567890 gives 005924")
    func oracleExample() throws {
        let secret = try #require(Base32.decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
        #expect(OneTimePassword(secret: secret).totp(at: 1_234_567_890) == "005924")
    }
}

@Suite struct Base32Tests {
    @Test("RFC 4648 §10 vectors, written without padding")
    func rfc4648() {
        let vectors = [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"),
                       ("foobar", "MZXW6YTBOI")]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test("Reading ignores case, spaces, hyphens and trailing padding")
    func lenientReading() {
        let bytes = SecureRandom.bytes(count: 20)
        let encoded = Base32.encode(bytes)
        #expect(encoded.count == 32)
        let grouped = stride(from: 0, to: 32, by: 4).map { i in
            String(encoded[encoded.index(encoded.startIndex, offsetBy: i)..<encoded.index(encoded.startIndex, offsetBy: i + 4)])
        }.joined(separator: " ").lowercased()
        #expect(Base32.decode(grouped) == bytes)
        #expect(Base32.decode("MZXW6===") == Array("foo".utf8))
    }

    @Test("Invalid characters and impossible endings are refused", arguments: ["MZXW1", "MZXW6!", "MZ=XW6", "MZXW7", "M"])
    func invalid(text: String) {
        #expect(Base32.decode(text) == nil)
    }
}

@Suite struct KeyURITests {
    @Test("The key URI names issuer and account and carries the unpadded secret")
    func format() {
        let uri = KeyURI.totp(secret: Array("12345678901234567890".utf8), issuer: "ClientOne Console", account: "jane@northwind.example")
        #expect(uri == "otpauth://totp/ClientOne%20Console:jane%40northwind.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ClientOne%20Console")
    }
}
