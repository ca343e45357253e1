import ArgumentParser
import QRCode

/// `clientone qr [--ecc L|M|Q|H] TEXT`: the project's own QR encoder, as SVG on standard output.
struct QR: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the SVG QR code of TEXT to standard output.")

    @Option(help: "Error correction level: L, M, Q or H.") var ecc: String = "M"
    @Argument(help: "The text to encode (UTF-8).") var text: String

    func run() throws {
        guard let level = ErrorCorrection(letter: ecc.uppercased()) else {
            throw ValidationError("--ecc must be L, M, Q or H")
        }
        let code: QRCode
        do {
            code = try QRCode.encode(text: text, ecc: level)
        } catch {
            throw ValidationError("\(error)")
        }
        print(SVGWriter.svg(for: code, label: "QR code"))
    }
}
