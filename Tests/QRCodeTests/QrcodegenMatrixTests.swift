import Testing
@testable import QRCode

/// Whole symbols compared module for module with Nayuki's qrcodegen, an encoder written
/// independently of this one (`scripts/make-qr-fixtures.py` recorded them).
@Suite struct QrcodegenMatrixTests {
    static let segmentCases = Fixtures.shared.symbols.filter { $0.api == "segments" }
    static let textCases = Fixtures.shared.symbols.filter { $0.api == "text" }

    @Test("the same segments, level, version range and mask give qrcodegen's symbol", arguments: segmentCases)
    func matchesPinnedSymbol(_ fixture: SymbolFixture) throws {
        let code = try QRCode.encode(
            segments: fixture.segments.map(\.segment),
            ecc: try #require(ErrorCorrection(letter: fixture.ecc)),
            minVersion: try #require(fixture.minVersion.flatMap(Version.init)),
            maxVersion: try #require(fixture.maxVersion.flatMap(Version.init)),
            mask: fixture.mask.flatMap(Mask.init),
            boostECC: try #require(fixture.boostECC as Bool?))
        expectSame(code, fixture)
    }

    @Test("encode(text:) agrees with qrcodegen's encode_text when one mode is already optimal", arguments: textCases)
    func matchesTextEncoding(_ fixture: SymbolFixture) throws {
        let text = try #require(fixture.text)
        #expect(Segment.makeSegments(text).map { "\($0.mode)" } == fixture.segments.map(\.mode))
        let code = try QRCode.encode(text: text, ecc: try #require(ErrorCorrection(letter: fixture.ecc)))
        expectSame(code, fixture)
    }

    @Test("the fixture covers every version, mask, level and mode, pinned and automatic")
    func fixtureCoverage() {
        let symbols = Fixtures.shared.symbols
        #expect(Set(symbols.map(\.version)) == Set(1...40))
        #expect(Set(symbols.compactMap(\.mask)) == Set(0...7))
        #expect(Set(symbols.filter { $0.mask == nil }.map(\.finalMask)).count >= 6, "automatic choices land on most masks")
        #expect(Set(symbols.map(\.finalEcc)) == ["L", "M", "Q", "H"])
        #expect(Set(symbols.flatMap { $0.segments.map(\.mode) }) == ["numeric", "alphanumeric", "byte"])
        #expect(symbols.contains { $0.segments.isEmpty }, "the empty text")
        #expect(symbols.contains { Set($0.segments.map(\.mode)).count == 3 }, "a symbol mixing all three modes")
        #expect(symbols.filter { $0.mask == nil && $0.version >= 7 }.count >= 10, "automatic masks with version information")
        #expect(Fixtures.shared.generator.hasPrefix("qrcodegen "))
    }

    private func expectSame(_ code: QRCode, _ fixture: SymbolFixture, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(code.version.number == fixture.version, sourceLocation: sourceLocation)
        #expect(code.errorCorrection.letter == fixture.finalEcc, sourceLocation: sourceLocation)
        #expect(code.mask.number == fixture.finalMask, sourceLocation: sourceLocation)
        #expect(code.size == fixture.size, sourceLocation: sourceLocation)
        guard code.size == fixture.size else { return }
        let difference = mismatches(code, fixture.dark)
        #expect(difference.count == 0, "\(difference.count) modules differ, first at \(difference.first)", sourceLocation: sourceLocation)
    }
}
