// Encodes per second of the project's QR encoder on one text, for comparison with
// libqrencode (Benchmarks/qrencode_bench.c); scripts/bench-qr builds and runs both.
//
// Usage: QRBenchmark [seconds per measurement, default 2] [text, default an otpauth URI]

import Foundation
import QRCode

let arguments = CommandLine.arguments
let seconds = arguments.count > 1 ? Double(arguments[1]) ?? 2 : 2
let text = arguments.count > 2 ? arguments[2]
    : "otpauth://totp/ClientOne%20Console:jane.doe%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ClientOne%20Console"
let ecc = ErrorCorrection.medium

/// Runs `body` repeatedly for `seconds` after a short warm-up and returns calls per second.
/// `body` returns a value folded into `sink`, so the optimiser cannot drop the work.
func measure(seconds: Double, sink: inout Int, _ body: () -> Int) -> Double {
    let clock = ContinuousClock()
    let warmUpEnd = clock.now.advanced(by: .milliseconds(300))
    while clock.now < warmUpEnd { sink &+= body() }
    let start = clock.now
    let limit = Duration.milliseconds(Int(seconds * 1000))
    var calls = 0
    var elapsed = Duration.zero
    repeat {
        for _ in 0..<20 { sink &+= body() }
        calls += 20
        elapsed = clock.now - start
    } while elapsed < limit
    let components = elapsed.components
    return Double(calls) / (Double(components.seconds) + Double(components.attoseconds) / 1e18)
}

func report(_ name: String, _ perSecond: Double, _ detail: String) {
    print(String(format: "%@: %.0f encodes/s (%.1f µs each) %@", name, perSecond, 1e6 / perSecond, detail))
}

do {
    let sample = try QRCode.encode(text: text, ecc: ecc)
    let bytesOnly = [Segment.bytes(Array(text.utf8))]
    let sampleBytes = try QRCode.encode(segments: bytesOnly, ecc: ecc, boostECC: false)
    let svgLength = SVGWriter.svg(for: sample, label: "QR code").utf8.count
    print("text: \(text.utf8.count) bytes, ECC \(ecc.letter), \(seconds) s per measurement")

    var sink = 0
    let matrix = measure(seconds: seconds, sink: &sink) {
        (try? QRCode.encode(text: text, ecc: ecc))?.size ?? 0
    }
    report("ours (matrix only)", matrix,
           "[encode(text:) → version \(sample.version), ECC \(sample.errorCorrection.letter), mask \(sample.mask)]")

    let svg = measure(seconds: seconds, sink: &sink) {
        guard let code = try? QRCode.encode(text: text, ecc: ecc) else { return 0 }
        return SVGWriter.svg(for: code, label: "QR code").utf8.count
    }
    report("ours (matrix + SVG)", svg, "[SVG \(svgLength) bytes]")

    let bytes = measure(seconds: seconds, sink: &sink) {
        (try? QRCode.encode(segments: bytesOnly, ecc: ecc, boostECC: false))?.size ?? 0
    }
    report("ours (byte mode only, matrix)", bytes,
           "[as libqrencode's 8-bit mode: version \(sampleBytes.version), ECC \(sampleBytes.errorCorrection.letter)]")
    if sink == 42 { print("") }  // keeps `sink` alive
} catch {
    print("QRBenchmark: \(error)")
}
