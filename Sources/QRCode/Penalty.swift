/// The penalty score of §7.8.3 that picks the mask, computed on a square grid whose rows and
/// columns are both bit-packed (bit x of a row's words is module x; a module set = dark).
///
/// The four rules, weights N1 = 3, N2 = 3, N3 = 40, N4 = 10:
/// - N1: a run of k ≥ 5 same-coloured modules in a row or column scores N1 + (k − 5).
/// - N2: each 2 × 2 block of one colour scores N2 (overlapping blocks all count).
/// - N3: each 1:1:3:1:1 dark-light-dark-light-dark pattern (at any scale n) with a light run of
///   at least 4n on one side and n on the other scores N3; the area outside the symbol counts
///   as light.
/// - N4: N4 for every full 5 % that the dark share strays beyond 45–55 %.
///
/// Rule N3 is read as Nayuki's encoder reads it, so that both choose the same mask: runs are
/// compared by length, and the light border adds `size` to the first and last run of a line.
enum Penalty {
    static let n1 = 3, n2 = 3, n3 = 40, n4 = 10

    /// The score of the `size` × `size` grid in `rows` and `columns` (its transpose), each
    /// line `words` 64-bit words with the bits past `size` clear.
    static func score(size: Int, words: Int, rows: UnsafePointer<UInt64>, columns: UnsafePointer<UInt64>) -> Int {
        var total = 0
        for line in 0..<size {
            total += runScore(size: size, words: words, line: rows + line * words)
            total += runScore(size: size, words: words, line: columns + line * words)
        }
        total += blockScore(size: size, words: words, rows: rows)
        total += balanceScore(size: size, words: words, rows: rows)
        return total
    }

    /// Rules N1 and N3 along one line. Runs are found from the line's colour changes, a word
    /// at a time, so the work is per run rather than per module.
    static func runScore(size: Int, words: Int, line: UnsafePointer<UInt64>) -> Int {
        var score = 0
        // The last seven run lengths, newest first; history0 == 0 means no run yet.
        var history0 = 0, history1 = 0, history2 = 0, history3 = 0, history4 = 0, history5 = 0, history6 = 0
        var runStart = 0
        // The line opens with a light run, possibly empty when module 0 is dark.
        var runIsDark = false

        @inline(__always) func addHistory(_ length: Int) {
            // The light area before the line extends its first run.
            let length = history0 == 0 ? length + size : length
            history6 = history5; history5 = history4; history4 = history3
            history3 = history2; history2 = history1; history1 = history0; history0 = length
        }
        // Finder-like patterns ending at the light run just added: 0, 1 or 2 (light on both sides).
        @inline(__always) func finderPatterns() -> Int {
            let n = history1
            guard n > 0, history2 == n, history4 == n, history5 == n, history3 == 3 * n else { return 0 }
            return (history0 >= 4 * n && history6 >= n ? 1 : 0) + (history6 >= 4 * n && history0 >= n ? 1 : 0)
        }

        var previousBit: UInt64 = 0  // the module before the line is light
        for word in 0..<words {
            let bits = line[word]
            var changes = bits ^ (bits << 1 | previousBit)
            previousBit = bits >> 63
            let modulesInWord = size - word * 64
            if modulesInWord < 64 { changes &= (1 << UInt64(modulesInWord)) - 1 }
            while changes != 0 {
                let position = word * 64 + changes.trailingZeroBitCount
                changes &= changes - 1
                let length = position - runStart
                if length >= 5 { score += n1 + length - 5 }
                addHistory(length)
                if !runIsDark { score += finderPatterns() * n3 }
                runIsDark.toggle()
                runStart = position
            }
        }

        // Close the last run, then the light area after the line.
        var length = size - runStart
        if length >= 5 { score += n1 + length - 5 }
        if runIsDark {
            addHistory(length)
            length = 0
        }
        addHistory(length + size)
        score += finderPatterns() * n3
        return score
    }

    /// Rule N2: for each pair of adjacent rows, the columns x where both rows agree at x and
    /// x + 1 and agree with each other.
    static func blockScore(size: Int, words: Int, rows: UnsafePointer<UInt64>) -> Int {
        var blocks = 0
        for y in 0..<(size - 1) {
            let upper = rows + y * words, lower = upper + words
            for word in 0..<words {
                let a = upper[word], b = lower[word]
                let nextA = a >> 1 | (word + 1 < words ? upper[word + 1] << 63 : 0)
                let nextB = b >> 1 | (word + 1 < words ? lower[word + 1] << 63 : 0)
                var same = ~((a ^ nextA) | (b ^ nextB) | (a ^ b))
                // Block origins run from column 0 to size − 2.
                let origins = size - 1 - word * 64
                if origins < 64 { same &= origins > 0 ? (1 << UInt64(origins)) - 1 : 0 }
                blocks += same.nonzeroBitCount
            }
        }
        return blocks * n2
    }

    /// Rule N4: the smallest k ≥ 0 with (45 − 5k) % ≤ dark share ≤ (55 + 5k) %, times N4.
    static func balanceScore(size: Int, words: Int, rows: UnsafePointer<UInt64>) -> Int {
        var dark = 0
        for index in 0..<(size * words) { dark += rows[index].nonzeroBitCount }
        let total = size * size
        // Rounds |dark/total − 1/2| up to whole 5 % steps; a symbol's side is odd, so the share is
        // never exactly 50 %, but a hand-made grid's may be, hence the floor at 0.
        let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
        return Swift.max(k, 0) * n4
    }
}
