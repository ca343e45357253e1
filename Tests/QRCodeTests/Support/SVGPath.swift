/// A reader for exactly the path syntax `SVGWriter` writes (`M x y`, `h n`, `v n`, `z`, with
/// relative `h`/`v`), turning its rectangles back into a grid of filled unit squares.
struct SVGPathGrid {
    /// `filled[y][x]`, in viewBox units, counting how often each unit square is covered.
    private(set) var filled: [[Int]]
    let dimension: Int

    /// Parses `data` into a `dimension` × `dimension` grid; nil when the syntax is not the
    /// writer's or a figure is not an axis-aligned rectangle one unit high.
    init?(pathData data: String, dimension: Int) {
        self.dimension = dimension
        filled = Array(repeating: Array(repeating: 0, count: dimension), count: dimension)
        var scanner = Scanner(Array(data.utf8))
        while !scanner.atEnd {
            guard scanner.take("M"), let x = scanner.number(), scanner.take(" "), let y = scanner.number(),
                  scanner.take("h"), let width = scanner.number(), scanner.take("v"), scanner.number() == 1,
                  scanner.take("h"), let back = scanner.number(), back == -width, scanner.take("z"),
                  width > 0, x >= 0, y >= 0, x + width <= dimension, y < dimension else { return nil }
            for column in x..<(x + width) { filled[y][column] += 1 }
        }
    }

    /// Reads the path data left to right, a character or a number at a time.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func number() -> Int? {
            let negative = take("-")
            var value = 0, digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
                digits += 1
            }
            return digits == 0 ? nil : (negative ? -value : value)
        }
    }
}
