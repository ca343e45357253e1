/// Arithmetic in GF(2⁸) reduced by x⁸ + x⁴ + x³ + x² + 1 (0x11D), the field QR codewords live in
/// (ISO/IEC 18004 §7.5.2). Multiplication goes through logarithms base α = 2.
enum GaloisField {
    /// `exp[i]` = αⁱ for i in 0..<510: twice the period of 255, so that
    /// `exp[log[a] + log[b]]` needs no reduction modulo 255.
    static let exp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 510)
        var value = 1
        for power in 0..<255 {
            table[power] = UInt8(value)
            table[power + 255] = UInt8(value)
            value <<= 1
            if value >= 0x100 { value ^= 0x11D }
        }
        return table
    }()

    /// `log[a]` = the i with αⁱ = a, for a ≠ 0; `log[0]` is never read.
    static let log: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for power in 0..<255 { table[Int(exp[power])] = power }
        return table
    }()

    /// The product of two field elements.
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == 0 || b == 0 { return 0 }
        return exp[log[Int(a)] + log[Int(b)]]
    }
}

/// Reed–Solomon error correction for one block length: the error-correction codewords of a
/// block are the remainder of data(x) · x^degree divided by the generator polynomial
/// (x − α⁰)(x − α¹)…(x − α^(degree−1)) (§7.5.2, Annex A).
struct ReedSolomon: Sendable {
    /// Number of error-correction codewords per block.
    let degree: Int
    /// Logarithms of the generator's coefficients below the leading 1, highest power first.
    /// For every degree a QR symbol uses (7 to 30) none of them is zero, so all have a logarithm.
    let generatorLogs: [Int]

    /// The generators for every degree 1...30, built once: every block of every symbol uses one.
    private static let cache: [ReedSolomon] = (0...30).map { ReedSolomon(computingDegree: $0) }

    /// The coder for `degree` error-correction codewords, 1...30.
    init(degree: Int) {
        precondition(degree >= 1 && degree <= 30, "Reed-Solomon degree out of range")
        self = Self.cache[degree]
    }

    private init(computingDegree degree: Int) {
        self.degree = degree
        // Multiply out the product one root at a time, coefficients highest power first, the
        // leading 1 left implicit: coefficients[j] belongs to x^(degree-1-j).
        var coefficients = [UInt8](repeating: 0, count: degree)
        if degree > 0 { coefficients[degree - 1] = 1 }
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                coefficients[j] = GaloisField.multiply(coefficients[j], root)
                if j + 1 < degree { coefficients[j] ^= coefficients[j + 1] }
            }
            root = GaloisField.multiply(root, 2)
        }
        precondition(degree == 0 || !coefficients.contains(0), "generator polynomial with a zero coefficient")
        generatorLogs = coefficients.map { $0 == 0 ? 0 : GaloisField.log[Int($0)] }
    }

    /// Writes the `degree` error-correction codewords of `data` to `output`, by polynomial long
    /// division kept in a shift register.
    func remainder(of data: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count == degree)
        output.update(repeating: 0)
        GaloisField.exp.withUnsafeBufferPointer { exp in
            generatorLogs.withUnsafeBufferPointer { generator in
                for byte in data {
                    let factor = byte ^ output[0]
                    for j in 0..<(degree - 1) { output[j] = output[j + 1] }
                    output[degree - 1] = 0
                    guard factor != 0 else { continue }
                    let factorLog = GaloisField.log[Int(factor)]
                    for j in 0..<degree { output[j] ^= exp[generator[j] + factorLog] }
                }
            }
        }
    }

    /// The error-correction codewords of `data`.
    func remainder(of data: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        data.withUnsafeBufferPointer { data in
            result.withUnsafeMutableBufferPointer { remainder(of: data, into: $0) }
        }
        return result
    }
}
