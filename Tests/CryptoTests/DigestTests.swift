import Dispatch
import Testing
import TestSupport
@testable import Crypto

/// Known-answer tests for digests and HMAC, plus the comparison and randomness helpers.
@Suite struct DigestTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("SHA-1, SHA-256, SHA-384 and SHA-512 of \"abc\" match FIPS 180 examples")
    func fipsVectors() {
        #expect(Hex.encode(Digest.hash(.sha1, bytes("abc"))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Hex.encode(Digest.sha256(bytes("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(Digest.hash(.sha384, bytes("abc")))
            == "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
        #expect(Hex.encode(Digest.hash(.sha512, bytes("abc")))
            == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    }

    @Test("SHA-256 of empty input and of a non-array collection")
    func emptyAndSlices() {
        #expect(Hex.encode(Digest.sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let padded = bytes("xxabcxx")
        #expect(Digest.sha256(padded[2..<5]) == Digest.sha256(bytes("abc")))
        #expect(Digest.sha256("abc".utf8) == Digest.sha256(bytes("abc")))
    }

    @Test("HMAC-SHA-256 matches RFC 4231 test cases 1, 2 and 6")
    func rfc4231() {
        #expect(Hex.encode(HMAC.code(.sha256, key: [UInt8](repeating: 0x0b, count: 20), message: bytes("Hi There")))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Hex.encode(HMAC.code(.sha256, key: bytes("Jefe"), message: bytes("what do ya want for nothing?")))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Hex.encode(HMAC.code(.sha256, key: [UInt8](repeating: 0xaa, count: 131),
                                     message: bytes("Test Using Larger Than Block-Size Key - Hash Key First")))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(Hex.encode(HMAC.code(.sha512, key: [UInt8](repeating: 0x0b, count: 20), message: bytes("Hi There")))
            == "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")
    }

    @Test("HMAC with an empty key and an empty message, and one key after another on the same algorithm")
    func emptyKeyAndRekeying() {
        // Each call starts from the shared prepared context, keyed anew: no key carries over.
        #expect(Hex.encode(HMAC.code(.sha256, key: [], message: [UInt8]()))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        let jefe = HMAC.code(.sha256, key: bytes("Jefe"), message: bytes("what do ya want for nothing?"))
        #expect(HMAC.code(.sha256, key: [], message: [UInt8]()) != jefe)
        #expect(Hex.encode(HMAC.code(.sha256, key: bytes("Jefe"), message: bytes("what do ya want for nothing?")))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("digests and HMACs computed on many threads at once all match the single-threaded answers")
    func concurrentUse() {
        let message = bytes("The quick brown fox jumps over the lazy dog")
        let expectedDigest = Digest.sha256(message)
        let expectedMAC = HMAC.code(.sha256, key: bytes("key"), message: message)
        let mismatches = Recorder()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<300 {
                let key = Array((round.isMultiple(of: 2) ? "key" : "other key").utf8)
                let mac = HMAC.code(.sha256, key: key, message: message)
                let good = Digest.sha256(message) == expectedDigest
                    && (round.isMultiple(of: 2) ? mac == expectedMAC : mac != expectedMAC && mac.count == 32)
                if !good { mismatches.append("worker \(worker), round \(round)") }
            }
        }
        #expect(mismatches.all.isEmpty)
        #expect(Hex.encode(expectedMAC) == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }

    @Test("A prepared HMAC key gives the RFC 4231 answers, and the same as a one-off HMAC for every key and message length")
    func preparedKey() {
        #expect(Hex.encode(HMACKey(.sha256, key: [UInt8](repeating: 0x0b, count: 20)).code(bytes("Hi There")))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Hex.encode(HMACKey(.sha256, key: [UInt8](repeating: 0xaa, count: 131))
            .code(bytes("Test Using Larger Than Block-Size Key - Hash Key First")))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(Hex.encode(HMACKey(.sha512, key: [UInt8](repeating: 0xaa, count: 131))
            .code(bytes("Test Using Larger Than Block-Size Key - Hash Key First")))
            == "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598")
        var generator = SystemRandomNumberGenerator()
        for algorithm in HashAlgorithm.allCases {
            // Key lengths on both sides of the block size (64 bytes, 128 for SHA-384 and SHA-512).
            for keyLength in [0, 1, 20, 63, 64, 65, 127, 128, 129, 200] {
                let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let prepared = HMACKey(algorithm, key: key)
                for messageLength in [0, 1, 55, 56, 64, 72, 111, 112, 128, 1_000] {
                    let message = (0..<messageLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    #expect(prepared.code(message) == HMAC.code(algorithm, key: key, message: message),
                            "\(algorithm), key \(keyLength), message \(messageLength)")
                }
            }
        }
    }

    @Test("One prepared key used from eight threads at once gives the same code every time")
    func preparedKeyConcurrently() {
        let key = HMACKey(.sha256, key: bytes("key"))
        let message = bytes("The quick brown fox jumps over the lazy dog")
        let mismatches = Recorder()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<500 where Hex.encode(key.code(message)) != "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8" {
                mismatches.append("worker \(worker), round \(round)")
            }
        }
        #expect(mismatches.all.isEmpty)
    }

    @Test("HMAC-SHA-1 matches RFC 2202 test cases 1 to 3")
    func rfc2202() {
        #expect(Hex.encode(HMAC.code(.sha1, key: [UInt8](repeating: 0x0b, count: 20), message: bytes("Hi There")))
            == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(Hex.encode(HMAC.code(.sha1, key: bytes("Jefe"), message: bytes("what do ya want for nothing?")))
            == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(Hex.encode(HMAC.code(.sha1, key: [UInt8](repeating: 0xaa, count: 20), message: [UInt8](repeating: 0xdd, count: 50)))
            == "125d7342b9ac11cd91a39af48aa17b4f63f175d3")
    }

    @Test("HMAC with an empty key and empty message is well defined")
    func emptyKey() {
        #expect(Hex.encode(HMAC.code(.sha256, key: [], message: [UInt8]()))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("constantTimeEquals compares contents and rejects different lengths")
    func constantTimeComparison() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!constantTimeEquals([UInt8](), [0]))
        #expect(constantTimeEquals([UInt8](), [UInt8]()))
        #expect(constantTimeEquals("token".utf8, bytes("token")))
    }

    @Test("SecureRandom gives the requested count, differing draws, and uniform values in range")
    func randomness() {
        #expect(SecureRandom.bytes(count: 0).isEmpty)
        #expect(SecureRandom.bytes(count: 33).count == 33)
        #expect(SecureRandom.bytes(count: 32) != SecureRandom.bytes(count: 32))
        var seen = Set<Int>()
        for _ in 0..<500 {
            let value = SecureRandom.uniform(below: 6)
            #expect((0..<6).contains(value))
            seen.insert(value)
        }
        #expect(seen.count == 6)
        #expect(SecureRandom.uniform(below: 1) == 0)
        #expect((0..<Int.max).contains(SecureRandom.uniform(below: Int.max)))
    }
}
