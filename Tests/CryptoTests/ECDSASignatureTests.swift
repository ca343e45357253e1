import Testing
@testable import Crypto

/// JWS's raw r ‖ s ECDSA signatures become the DER OpenSSL verifies.
@Suite struct ECDSASignatureTests {
    @Test("r and s become two DER integers: leading zeros dropped, a zero byte added before a set top bit")
    func encoding() throws {
        let r = [UInt8](repeating: 0, count: 31) + [0x01]
        let s = [0x80] + [UInt8](repeating: 0x11, count: 31)
        let der = try #require(ECDSASignature.der(fromRawP256: r + s))
        #expect(der == [0x30, 3 + 35, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00, 0x80] + [UInt8](repeating: 0x11, count: 31))
    }

    @Test("anything but 64 bytes, and a zero r or s, is no signature")
    func refusals() {
        #expect(ECDSASignature.der(fromRawP256: [UInt8](repeating: 1, count: 63)) == nil)
        #expect(ECDSASignature.der(fromRawP256: [UInt8](repeating: 1, count: 65)) == nil)
        #expect(ECDSASignature.der(fromRawP256: [UInt8](repeating: 0, count: 32) + [UInt8](repeating: 1, count: 32)) == nil)
        #expect(ECDSASignature.der(fromRawP256: [UInt8](repeating: 1, count: 32) + [UInt8](repeating: 0, count: 32)) == nil)
    }
}
