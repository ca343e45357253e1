import Foundation
import TestSupport

/// Independent tools the tests check the console against: zbar reads the QR code, oathtool computes codes.
enum Oracles {
    /// What a QR code in an SVG says, read by zbar after rasterising on white (ORACLES.md).
    static func decodeQR(svg: String) throws -> String {
        let directory = TemporaryDirectory()
        let svgPath = directory.file("q.svg"), pngPath = directory.file("q.png")
        try svg.write(toFile: svgPath, atomically: true, encoding: .utf8)
        _ = try ExternalTool.rsvgConvert.run(["-b", "white", "-z", "6", svgPath, "-o", pngPath])
        let read = try ExternalTool.zbarimg.run(["-q", "--raw", "-Sbinary", pngPath])
        guard read.status == 0 else { throw ChildProcessError(description: "zbarimg found no QR code (exit \(read.status))") }
        let text = read.stdout
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// The TOTP code oathtool computes for a base32 secret at a time.
    static func totp(base32 secret: String, at time: Int64) throws -> String {
        try ExternalTool.oathtool.run(["--totp", "-b", "-N", "@\(time)", secret]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension String {
    /// Every match of a regex's first capture group.
    func captures(_ pattern: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else { return [] }
        let range = NSRange(startIndex..., in: self)
        return regex.matches(in: self, range: range).compactMap { match in
            Range(match.range(at: 1), in: self).map { String(self[$0]) }
        }
    }
}
