import Foundation
import TestSupport

/// Independent tools the tests check the console against: zbar reads the QR code, oathtool computes codes.
enum Oracles {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs a tool and returns its standard output and exit status.
    static func run(_ tool: String, _ arguments: [String], package: String) throws -> (String, Int32) {
        let path = "/usr/bin/" + tool
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Missing(description: "\(tool) is missing: install the Debian package \(package) (scripts/test does)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    /// What a QR code in an SVG says, read by zbar after rasterising on white (ORACLES.md).
    static func decodeQR(svg: String) throws -> String {
        let directory = TemporaryDirectory()
        let svgPath = directory.file("q.svg"), pngPath = directory.file("q.png")
        try svg.write(toFile: svgPath, atomically: true, encoding: .utf8)
        _ = try run("rsvg-convert", ["-b", "white", "-z", "6", svgPath, "-o", pngPath], package: "librsvg2-bin")
        let (text, status) = try run("zbarimg", ["-q", "--raw", "-Sbinary", pngPath], package: "zbar-tools")
        guard status == 0 else { throw Missing(description: "zbarimg found no QR code (exit \(status))") }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// The TOTP code oathtool computes for a base32 secret at a time.
    static func totp(base32 secret: String, at time: Int64) throws -> String {
        let (text, _) = try run("oathtool", ["--totp", "-b", "-N", "@\(time)", secret], package: "oathtool")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
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
