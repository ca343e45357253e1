import Foundation
import Testing
import TestSupport
@testable import QRCode

/// Symbols read back by a real decoder: the SVG rasterised by rsvg-convert on white at 6 pixels
/// per module, then decoded by zbarimg, must give back the exact bytes encoded.
@Suite struct RoundTripTests {
    /// A text to encode at a level, and the version it must land in when that matters.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let ecc: ErrorCorrection
        var version: Int? = nil

        var testDescription: String { "\(name) at \(ecc.letter)" }
    }

    static let cases: [Case] = [
        Case(name: "otpauth URI", text: otpauthURI, ecc: .low),
        Case(name: "otpauth URI", text: otpauthURI, ecc: .medium, version: 7),
        Case(name: "otpauth URI", text: otpauthURI, ecc: .quartile),
        Case(name: "otpauth URI", text: otpauthURI, ecc: .high),
        Case(name: "UTF-8", text: "Grüße — 日本語 🙂", ecc: .medium),
        Case(name: "numeric", text: String(repeating: "0123456789", count: 5), ecc: .quartile),
        Case(name: "alphanumeric", text: "HELLO WORLD $%*+-./: 0123", ecc: .high),
        Case(name: "mixed modes", text: "é1234567 ABC01234567890123456789DEF", ecc: .medium),
        Case(name: "empty", text: "", ecc: .low),
        Case(name: "version 40", text: longPayload, ecc: .low, version: 40),
    ]

    /// 2,953 printable bytes with lower-case letters throughout: the most version 40 holds at L.
    static let longPayload: String = {
        var generator = SeededGenerator(seed: 40)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 .,:-/?=&")
        return String((0..<2953).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }()

    @Test("zbarimg reads back the exact bytes", arguments: cases)
    func decodesBack(_ testCase: Case) throws {
        let rsvgConvert = try ExternalTool.rsvgConvert.path()
        let zbarimg = try ExternalTool.zbarimg.path()
        let code = try QRCode.encode(text: testCase.text, ecc: testCase.ecc)
        if let version = testCase.version { #expect(code.version.number == version) }

        let folder = TemporaryDirectory(prefix: "qr-roundtrip")
        let svg = folder.file("q.svg"), png = folder.file("q.png")
        try SVGWriter.svg(for: code, label: "QR code").write(toFile: svg, atomically: true, encoding: .utf8)
        let raster = try ChildProcess.run(rsvgConvert, ["-b", "white", "-z", "6", svg, "-o", png])
        try #require(raster.status == 0, "rsvg-convert failed: \(raster.stderr)")
        let decoded = try ChildProcess.run(zbarimg, ["-q", "--raw", "-Sbinary", png])
        // zbarimg exits 4 when it finds no symbol in the image.
        try #require(decoded.status != 4, "zbarimg found no QR code in the image")
        #expect(decoded.status == 0, "zbarimg: \(decoded.stderr)")
        #expect(Array(decoded.standardOutput) == Array(testCase.text.utf8))
    }
}
