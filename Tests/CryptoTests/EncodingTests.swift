import Testing
import Crypto

/// RFC 4648 vectors and the strictness of every decoder.
@Suite struct EncodingTests {
    private let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test("Base64 matches RFC 4648 §10 vectors both ways")
    func base64Vectors() {
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64.encode([0xfb, 0xff]) == "+/8=")
    }

    @Test("Base64 rejects missing or misplaced padding, foreign characters and non-canonical bits")
    func base64Strictness() {
        for bad in ["Zg", "Zg=", "Zg===", "Z===", "=Zg=", "Zm9v\n", "Zm 9v", "Zh==", "Zm9=", "-_8=", "Zm9vY", "Zg==Zg=="] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }

    @Test("Base64URL uses - and _ without padding and round-trips")
    func base64URLVectors() {
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
        for (plain, encoded) in vectors {
            let unpadded = String(encoded.prefix { $0 != "=" })
            #expect(Base64URL.encode(Array(plain.utf8)) == unpadded)
            #expect(Base64URL.decode(unpadded) == Array(plain.utf8))
        }
        let random = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        #expect(Base64URL.decode(Base64URL.encode(random)) == random)
    }

    @Test("Base64URL rejects padding, the standard alphabet's symbols, a lone symbol and stray bits")
    func base64URLStrictness() {
        for bad in ["Zg==", "Zg=", "+/8", "Z", "Zm9vY", "Zh", "Zm9", "Zm 9v", "Zm9v.", "é"] {
            #expect(Base64URL.decode(bad) == nil, "\(bad)")
        }
    }

    @Test("Hex encodes lower case, decodes either case, and rejects odd lengths or other characters")
    func hex() {
        #expect(Hex.encode([0x00, 0xff, 0x10, 0xab]) == "00ff10ab")
        #expect(Hex.decode("00FF10aB") == [0x00, 0xff, 0x10, 0xab])
        #expect(Hex.decode("") == [])
        for bad in ["abc", "zz", "0x00", " 00", "0g", "٠٠"] {
            #expect(Hex.decode(bad) == nil, "\(bad)")
        }
    }
}
