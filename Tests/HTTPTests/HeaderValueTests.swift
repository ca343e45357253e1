@testable import HTTP
import Testing

/// The check that keeps control characters (header injection) out of response headers, which reads
/// eight bytes at a time: every forbidden byte must be found wherever it sits in a word.
@Suite struct HeaderValueTests {
    static let forbidden: [UInt8] = Array(0x00...0x08) + Array(0x0A...0x1F) + [0x7F]

    @Test("A control character or DEL is refused at every position of a long value, a tab and UTF-8 are not")
    func everyPosition() {
        let plain = Array("default-src 'none'; script-src 'self'; é€ \t ok".utf8)
        #expect(PreparedResponse.isValidValue(String(decoding: plain, as: UTF8.self)))
        for position in 0..<plain.count {
            for byte in Self.forbidden {
                var value = plain
                value[position] = byte
                let text = String(decoding: value, as: UTF8.self)
                #expect(!PreparedResponse.isValidValue(text), "byte \(byte) at \(position) let through")
            }
        }
    }

    @Test("Bytes next to the forbidden ones pass: space, tilde, and bytes of 0x80 and above")
    func neighbours() {
        for byte: UInt8 in [0x20, 0x7E, 0x21] {
            #expect(PreparedResponse.isValidValue(String(decoding: [UInt8](repeating: byte, count: 17), as: UTF8.self)))
        }
        #expect(PreparedResponse.isValidValue(String(repeating: "ÿ€", count: 9)))
        #expect(PreparedResponse.isValidValue(""))
    }
}
