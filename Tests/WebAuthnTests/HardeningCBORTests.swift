#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import WebAuthn

/// Hostile CBOR: heads longer than they need where canonical form is required, and nested maps whose
/// claimed sizes would make the decoder reserve far more memory than the input holds.
@Suite struct HardeningCBORTests {
    @Test("canonical CBOR refuses a head longer than its argument needs, for integers and for lengths", arguments: [
        [0x18, 0x01],                                   // 1 in one extra byte
        [0x19, 0x00, 0x18],                             // 24 in two bytes
        [0x1A, 0x00, 0x00, 0x01, 0x00],                 // 256 in four bytes
        [0x1B, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00], // 65536 in eight bytes
        [0x38, 0x06],                                   // -7 (ES256) in one extra byte
        [0x58, 0x02, 0xAA, 0xBB],                       // a 2-byte string with a 1-byte length
        [0x79, 0x00, 0x01, 0x61],                       // a 1-character text with a 2-byte length
        [0x98, 0x01, 0x00],                             // a 1-element array with a 1-byte count
        [0xB8, 0x01, 0x01, 0x02],                       // a 1-entry map with a 1-byte count
    ] as [[UInt8]])
    func longHeadsRefused(_ bytes: [UInt8]) throws {
        #expect(throws: CBORError.nonShortestHead(offset: 0)) { try CBOR.decode(bytes, limits: .canonical) }
        // Still read where canonical form is not required (attestation objects, RFC 8949's general rule).
        #expect(throws: Never.self) { try CBOR.decode(bytes) }
    }

    @Test("shortest heads at every boundary are accepted as canonical")
    func shortestHeadsAccepted() throws {
        for value: UInt64 in [0, 23, 24, 255, 256, 65_535, 65_536, 0xFFFF_FFFF, 0x1_0000_0000, .max] {
            #expect(try CBOR.decode(CBORWriter.head(0, value), limits: .canonical) == .unsigned(value))
            #expect(try CBOR.decode(CBORWriter.head(1, value), limits: .canonical) == .negative(value))
        }
    }

    @Test("a COSE key whose alg, kty or coordinate length is written in a longer head is refused")
    func longHeadsInCOSEKey() throws {
        let es256 = COSEKeyTests.es256
        let x = try #require(es256[.integer(-2)]?.bytesValue)
        let y = try #require(es256[.integer(-3)]?.bytesValue)
        func key(kty: [UInt8] = [0x02], alg: [UInt8] = [0x26], xHead: [UInt8] = [0x58, 0x20]) -> [UInt8] {
            CBORWriter.rawMap([([0x01], kty), ([0x03], alg), ([0x20], [0x01]), ([0x21], xHead + x), ([0x22], [0x58, 0x20] + y)])
        }
        #expect(throws: Never.self) { try COSEKey(bytes: key()) }
        for bytes in [key(kty: [0x18, 0x02]), key(alg: [0x38, 0x06]), key(xHead: [0x59, 0x00, 0x20])] {
            #expect {
                try COSEKey(bytes: bytes)
            } throws: { error in
                guard case .malformed(let reason) = error as? WebAuthnError else { return false }
                return reason.contains("shortest form")
            }
        }
    }

    /// 1 MiB: 16 maps, each the first key of the one before, each claiming as many entries as the
    /// bytes after it could hold (two per entry), then filler. Decoding fails at depth 17, but a decoder
    /// that reserves the claimed capacity first has by then asked for 16 × 500,000 entries.
    static func nestedClaims() -> [UInt8] {
        let size = 1 << 20
        var bytes: [UInt8] = []
        for _ in 0..<16 {
            let remaining = size - bytes.count - 5
            bytes += CBORWriter.head(5, UInt64(remaining / 2), width: 4)
        }
        bytes += [UInt8](repeating: 0xA0, count: size - bytes.count)
        return bytes
    }

    /// VmSize of this process, in bytes.
    static func virtualSize() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmSize:") })
        let kilobytes = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        return kilobytes * 1024
    }

    @Test("16 nested maps claiming half a million entries each decode (and fail) within 64 MB more address space")
    func nestedClaimsReserveNothing() throws {
        let input = Self.nestedClaims()
        // Everything the child will run is run once here first, so the child needs no lock another
        // thread could have held at the fork.
        #expect(throws: CBORError.depthExceeded(limit: 16)) { try CBOR.decode(input) }
        let limit = try Self.virtualSize() + 64 << 20
        let child = fork()
        try #require(child >= 0)
        if child == 0 {
            var bound = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
            guard setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &bound) == 0 else { _exit(3) }
            let outcome: Int32
            do {
                _ = try CBOR.decode(input)
                outcome = 2
            } catch {
                outcome = error == .depthExceeded(limit: 16) ? 0 : 1
            }
            _exit(outcome)
        }
        // The child either ends or is stopped after a minute (a hang counts as a failure).
        var status: Int32 = 0
        var waited: pid_t = 0
        for _ in 0..<600 {
            waited = waitpid(child, &status, WNOHANG)
            if waited != 0 { break }
            usleep(100_000)
        }
        if waited == 0 {
            kill(child, SIGKILL)
            _ = waitpid(child, &status, 0)
            Issue.record("the decoding child did not finish")
            return
        }
        let signalled = status & 0x7F != 0
        #expect(!signalled, "the decoder crashed (signal \(status & 0x7F)) for want of address space it reserved but never used")
        #expect(signalled || (status >> 8) & 0xFF == 0, "exit status \((status >> 8) & 0xFF)")
    }
}
