import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import QRCode

/// The SVG parsed back: its elements and attributes, and its path turned back into modules.
@Suite struct SVGWriterTests {
    /// A symbol to draw, named for the test report.
    struct Sample: Sendable, CustomTestStringConvertible {
        let name: String
        let code: QRCode

        var testDescription: String { "\(name) (version \(code.version))" }
    }

    static let samples = [
        Sample(name: "HELLO WORLD at Q", code: try! QRCode.encode(text: "HELLO WORLD", ecc: .quartile)),
        Sample(name: "otpauth URI at M", code: try! QRCode.encode(text: otpauthURI, ecc: .medium)),
        Sample(name: "2,900 bytes at L", code: try! QRCode.encode(text: String(repeating: "svg ", count: 725), ecc: .low)),
    ]

    @Test("one white rect and one dark path, the viewBox in modules with the quiet zone", arguments: samples)
    func structure(_ sample: Sample) throws {
        let code = sample.code
        let elements = try parse(SVGWriter.svg(for: code, label: "QR code"))
        #expect(elements.map(\.name) == ["svg", "rect", "path"])
        let dimension = code.size + 8
        let svg = elements[0].attributes
        #expect(svg["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(svg["viewBox"] == "0 0 \(dimension) \(dimension)")
        #expect(svg["shape-rendering"] == "crispEdges")
        #expect(svg["role"] == "img")
        #expect(svg["aria-label"] == "QR code")
        #expect(svg["width"] == nil && svg["height"] == nil)
        #expect(elements[1].attributes == ["width": "\(dimension)", "height": "\(dimension)", "fill": "#fff"])
        #expect(elements[2].attributes["fill"] == "#000")
    }

    @Test("the path covers exactly the dark modules, each once, and nothing in the quiet zone", arguments: samples)
    func pathGeometry(_ sample: Sample) throws {
        let code = sample.code
        for quietZone in [4, 0, 2] {
            let elements = try parse(SVGWriter.svg(for: code, label: "QR code", quietZone: quietZone))
            let dimension = code.size + 2 * quietZone
            let data = try #require(elements.last?.attributes["d"])
            let drawn = try #require(SVGPathGrid(pathData: data, dimension: dimension), "path syntax is not the writer's")
            var wrong = 0
            for y in 0..<dimension {
                for x in 0..<dimension {
                    let dark = code.module(x: x - quietZone, y: y - quietZone)
                    let inQuietZone = x < quietZone || y < quietZone || x >= quietZone + code.size || y >= quietZone + code.size
                    if drawn.filled[y][x] != (dark ? 1 : 0) || (inQuietZone && drawn.filled[y][x] != 0) { wrong += 1 }
                }
            }
            #expect(wrong == 0, "\(wrong) unit squares wrong with a quiet zone of \(quietZone)")
        }
    }

    @Test("moduleSize sets width and height in pixels")
    func moduleSize() throws {
        let code = Self.samples[0].code
        let svg = try parse(SVGWriter.svg(for: code, label: "QR code", moduleSize: 6))[0].attributes
        #expect(svg["width"] == "\((code.size + 8) * 6)" && svg["height"] == "\((code.size + 8) * 6)")
    }

    @Test("the label is escaped for the attribute and reads back unchanged")
    func labelEscaping() throws {
        let code = Self.samples[0].code
        let label = #"Scan "<&'>" & <script>alert('x')</script>"#
        let svg = SVGWriter.svg(for: code, label: label)
        #expect(svg.contains(#"aria-label="Scan &quot;&lt;&amp;&#39;&gt;&quot; &amp; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;""#))
        #expect(!svg.contains("<script"))
        #expect(try parse(svg)[0].attributes["aria-label"] == label)
        // Line breaks survive as references; characters XML cannot carry become U+FFFD.
        let awkward = "line one\nline two\u{7}\u{FFFE} 日本語 🙂"
        #expect(try parse(SVGWriter.svg(for: code, label: awkward))[0].attributes["aria-label"] == "line one\nline two\u{FFFD}\u{FFFD} 日本語 🙂")
    }

    @Test("the document is compact: one short rectangle per run of dark modules")
    func compactness() throws {
        let svg = SVGWriter.svg(for: Self.samples[1].code, label: "QR code")
        #expect(svg.utf8.count < 8_000, "\(svg.utf8.count) bytes")
        #expect(!svg.contains("\n") || svg.firstIndex(of: "\n") == svg.index(before: svg.endIndex))
    }

    /// One element of the parsed document.
    private struct Element {
        let name: String
        let attributes: [String: String]
    }

    /// The elements in document order, from Foundation's XML parser: what the writer produced
    /// must be well-formed XML.
    private func parse(_ svg: String) throws -> [Element] {
        /// Records each element as the parser meets it.
        final class Collector: NSObject, XMLParserDelegate {
            var elements: [Element] = []
            func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                        qualifiedName: String?, attributes: [String: String] = [:]) {
                elements.append(Element(name: elementName, attributes: attributes))
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        let parsed = parser.parse()
        try #require(parsed, "not well-formed XML: \(String(describing: parser.parserError))")
        return collector.elements
    }
}

let otpauthURI = "otpauth://totp/ClientOne%20Console:jane.doe%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ClientOne%20Console"
