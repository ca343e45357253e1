import Foundation
@testable import OTP
import Testing

/// Seeded random base32 input: decoding either refuses it or gives bytes that encode back to the same
/// letters (case, spaces and padding aside), for a fixed time budget.
@Suite struct Base32FuzzTests {
    @Test("Random base32 text decodes to bytes that encode back, or is refused")
    func roundTrip() {
        var state: UInt64 = 20_261_122
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefgh =018!é")
        let deadline = Date().addingTimeInterval(2)
        var runs = 0, decoded = 0
        while Date() < deadline {
            let length = Int(next() % 48)
            let text = String((0..<length).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] })
            if let bytes = Base32.decode(text) {
                decoded += 1
                let letters = text.uppercased().filter { !$0.isWhitespace && $0 != "=" }
                #expect(Base32.encode(bytes) == String(letters.prefix(Base32.encode(bytes).count)), "\(text.debugDescription)")
            }
            runs += 1
        }
        #expect(runs > 1_000)
        #expect(decoded > 0)
    }
}
