import Foundation
import Testing
@testable import QRCode

/// The symbols and penalty scores that `scripts/make-qr-fixtures.py` recorded from Nayuki's
/// qrcodegen (PyPI), an encoder written independently of this one.
struct Fixtures: Decodable, Sendable {
    let generator: String
    let symbols: [SymbolFixture]
    let penalties: [PenaltyFixture]
    let maskPenalties: [MaskPenaltyFixture]

    /// Decoded once for all tests.
    static let shared: Fixtures = {
        do {
            guard let url = Bundle.module.url(forResource: "qrcodegen-matrices", withExtension: "json", subdirectory: "Fixtures") else {
                fatalError("Fixtures/qrcodegen-matrices.json is missing from the test bundle; run scripts/make-qr-fixtures.py")
            }
            return try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read Fixtures/qrcodegen-matrices.json: \(error)")
        }
    }()
}

/// One segment as the fixture records it: text for numeric, alphanumeric and UTF-8 byte
/// segments, hex for raw bytes.
struct SegmentFixture: Decodable, Sendable {
    let mode: String
    let text: String?
    let hex: String?

    /// The same segment built with this encoder's explicit factories.
    var segment: Segment {
        switch mode {
        case "numeric": return .numeric(text!)
        case "alphanumeric": return .alphanumeric(text!)
        default:
            if let hex { return .bytes(bytes(fromHex: hex)) }
            return .bytes(Array(text!.utf8))
        }
    }
}

/// A symbol qrcodegen made, with everything it was allowed to choose pinned or recorded.
struct SymbolFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    /// "segments" for `QrCode.encode_segments`, "text" for `QrCode.encode_text`.
    let api: String
    let segments: [SegmentFixture]
    let text: String?
    let ecc: String
    let minVersion: Int?
    let maxVersion: Int?
    let mask: Int?
    let boostECC: Bool?
    let version: Int
    let finalEcc: String
    let finalMask: Int
    let size: Int
    let rows: [String]

    var testDescription: String { name }

    var dark: [[Bool]] { grid(fromHexRows: rows, size: size) }
}

/// An arbitrary square grid and qrcodegen's penalty score for it.
struct PenaltyFixture: Decodable, Sendable, CustomTestStringConvertible {
    let size: Int
    let rows: [String]
    let penalty: Int

    var testDescription: String { "\(size)×\(size) grid scoring \(penalty)" }

    var dark: [[Bool]] { grid(fromHexRows: rows, size: size) }
}

/// The score qrcodegen gives each of the eight masks of one symbol.
struct MaskPenaltyFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let segments: [SegmentFixture]
    let ecc: String
    let version: Int
    let penalties: [Int]

    var testDescription: String { name }
}

func bytes(fromHex hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
}

/// Rows written as hex, module x being bit x from the most significant of the row's digits.
func grid(fromHexRows rows: [String], size: Int) -> [[Bool]] {
    rows.map { row -> [Bool] in
        let nibbles: [Int] = row.map { Int(String($0), radix: 16)! }
        return (0..<size).map { (x: Int) -> Bool in
            let shift = 3 - x % 4
            return (nibbles[x / 4] >> shift) & 1 == 1
        }
    }
}

/// Positions where `code` differs from `expected`, as "(x,y)" strings, at most `limit` of them.
func mismatches(_ code: QRCode, _ expected: [[Bool]], limit: Int = 8) -> (count: Int, first: [String]) {
    var count = 0
    var first: [String] = []
    for y in 0..<expected.count {
        for x in 0..<expected.count where code.module(x: x, y: y) != expected[y][x] {
            count += 1
            if first.count < limit { first.append("(\(x),\(y))") }
        }
    }
    return (count, first)
}
