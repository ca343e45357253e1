/// The tables of ISO/IEC 18004:2015 that the encoder reads, copied as literals so that they can be
/// checked against the standard line by line. Index 0 of the per-version tables is a placeholder,
/// so that `table[version]` reads like the standard.
enum SpecTables {
    /// Error-correction codewords in each block (Table 9, column "number of error correction
    /// codewords" divided by the number of blocks). Rows: L, M, Q, H.
    static let eccCodewordsPerBlock: [[Int]] = [
        // Version: 1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16  17  18  19  20  21  22  23  24  25  26  27  28  29  30  31  32  33  34  35  36  37  38  39  40
        [-1,  7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],  // L
        [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],  // M
        [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],  // Q
        [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],  // H
    ]

    /// Number of error-correction blocks (Table 9, "number of error correction blocks", both
    /// block sizes added). Rows: L, M, Q, H.
    static let eccBlockCount: [[Int]] = [
        // Version: 1  2  3  4  5  6  7  8  9 10  11  12  13  14  15  16  17  18  19  20  21  22  23  24  25  26  27  28  29  30  31  32  33  34  35  36  37  38  39  40
        [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4,  4,  4,  4,  4,  6,  6,  6,  6,  7,  8,  8,  9,  9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],  // L
        [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5,  5,  8,  9,  9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],  // M
        [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8,  8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],  // Q
        [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],  // H
    ]

    /// Row/column coordinates of the alignment pattern centres (Annex E, Table E.1). Every pair
    /// of coordinates holds a pattern, except the three that would overlap a finder pattern.
    static let alignmentPatternCentres: [[Int]] = [
        [],                                  // (placeholder)
        [],                                  // 1
        [6, 18],                             // 2
        [6, 22],                             // 3
        [6, 26],                             // 4
        [6, 30],                             // 5
        [6, 34],                             // 6
        [6, 22, 38],                         // 7
        [6, 24, 42],                         // 8
        [6, 26, 46],                         // 9
        [6, 28, 50],                         // 10
        [6, 30, 54],                         // 11
        [6, 32, 58],                         // 12
        [6, 34, 62],                         // 13
        [6, 26, 46, 66],                     // 14
        [6, 26, 48, 70],                     // 15
        [6, 26, 50, 74],                     // 16
        [6, 30, 54, 78],                     // 17
        [6, 30, 56, 82],                     // 18
        [6, 30, 58, 86],                     // 19
        [6, 34, 62, 90],                     // 20
        [6, 28, 50, 72, 94],                 // 21
        [6, 26, 50, 74, 98],                 // 22
        [6, 30, 54, 78, 102],                // 23
        [6, 28, 54, 80, 106],                // 24
        [6, 32, 58, 84, 110],                // 25
        [6, 30, 58, 86, 114],                // 26
        [6, 34, 62, 90, 118],                // 27
        [6, 26, 50, 74, 98, 122],            // 28
        [6, 30, 54, 78, 102, 126],           // 29
        [6, 26, 52, 78, 104, 130],           // 30
        [6, 30, 56, 82, 108, 134],           // 31
        [6, 34, 60, 86, 112, 138],           // 32
        [6, 30, 58, 86, 114, 142],           // 33
        [6, 34, 62, 90, 118, 146],           // 34
        [6, 30, 54, 78, 102, 126, 150],      // 35
        [6, 24, 50, 76, 102, 128, 154],      // 36
        [6, 28, 54, 80, 106, 132, 158],      // 37
        [6, 32, 58, 84, 110, 136, 162],      // 38
        [6, 26, 54, 82, 110, 138, 166],      // 39
        [6, 30, 58, 86, 114, 142, 170],      // 40
    ]

    /// Bits of the character count indicator (Table 3), by mode and version range 1–9, 10–26, 27–40.
    static let characterCountBits: (numeric: [Int], alphanumeric: [Int], byte: [Int]) = (
        numeric:      [10, 12, 14],
        alphanumeric: [ 9, 11, 13],
        byte:         [ 8, 16, 16]
    )

    /// The 45 characters of alphanumeric mode in code order (Table 5): a character's value is its index.
    static let alphanumericCharset: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    /// Alphanumeric value of each ASCII code, or 0xFF for characters outside the charset; a
    /// lookup instead of a search because segmentation asks it once per character.
    static let alphanumericValue: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 128)
        for (value, char) in alphanumericCharset.enumerated() { table[Int(char)] = UInt8(value) }
        return table
    }()
}
