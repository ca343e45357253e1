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

    /// Rules N1 and N3 along one line.
    ///
    /// Both are computed with whole-word bit operations, where bit x of `plus(k)` is module
    /// x + k and of `minus(k)` module x − k (modules outside the line read as light, as the
    /// rules want):
    /// - N1: bit x of `window` is set when modules x...x+4 share a colour, so a run of k ≥ 5
    ///   sets k − 4 consecutive bits, the first of them a start; N1 + (k − 5) per run is then
    ///   (k − 4) + (N1 − 1), the window bits plus N1 − 1 per start.
    /// - N3 at scales 1 and 2: bit x of `scale1` is set when modules x−1...x+7 read 0 1011101 0,
    ///   of `scale2` when x−1...x+14 read 0 11 00 111111 00 11 0; each such pattern scores once
    ///   for 4n light modules after it and once for 4n before.
    /// - N3 at scale 3 and up needs light n ≥ 3 then dark 3n ≥ 9 inside the line, which data
    ///   almost never holds; only then are the line's runs walked.
    static func runScore(size: Int, words: Int, line: UnsafePointer<UInt64>) -> Int {
        var tally = LineTally()
        if words == 1 {
            // Versions 1–11: no neighbouring words, and with the literal zeros the compiler
            // drops half of the shifting.
            tally.add(line[0], word: 0, previous: 0, next: 0, size: size)
        } else {
            for word in 0..<words {
                tally.add(line[word], word: word, previous: word > 0 ? line[word - 1] : 0,
                          next: word + 1 < words ? line[word + 1] : 0, size: size)
            }
        }
        let largerFinders = tally.mayHoldLargerFinder ? finderScore(size: size, words: words, line: line, minimumScale: 3) : 0
        return tally.windows + (n1 - 1) * tally.starts + tally.finders * n3 + largerFinders
    }

    /// What `runScore` gathers from the words of a line, in order.
    private struct LineTally {
        var windows = 0, starts = 0, finders = 0
        var previousTopWindow: UInt64 = 0
        var mayHoldLargerFinder = false

        /// Adds word `word` of a `size`-module line, `current`, whose neighbouring words are
        /// `previous` and `next` (zero past the ends).
        @inline(__always) mutating func add(_ current: UInt64, word: Int, previous: UInt64, next: UInt64, size: Int) {
            // k is 1...21 here, so neither shift reaches 64.
            @inline(__always) func plus(_ k: UInt64) -> UInt64 { current &>> k | next &<< (64 - k) }
            @inline(__always) func minus(_ k: UInt64) -> UInt64 { current &<< k | previous &>> (64 - k) }
            let p1 = plus(1), p2 = plus(2), p3 = plus(3), p4 = plus(4), p5 = plus(5), p6 = plus(6), p7 = plus(7)
            let m1 = minus(1)

            // N1.
            var window = ~((current ^ p1) | (current ^ p2) | (current ^ p3) | (current ^ p4))
            let origins = size - 4 - word * 64   // windows start at x = 0...size − 5
            if origins < 64 { window &= origins > 0 ? (1 << UInt64(origins)) - 1 : 0 }
            windows += window.nonzeroBitCount
            starts += (window & ~(window << 1 | previousTopWindow)).nonzeroBitCount
            previousTopWindow = window >> 63

            // N3 at scale 1. Modules past the line are clear, so no match starts beyond it.
            let scale1 = ~m1 & current & ~p1 & p2 & p3 & p4 & ~p5 & p6 & ~p7
            if scale1 != 0 {
                let lightAfter = ~(p7 | plus(8) | plus(9) | plus(10))
                let lightBefore = ~(m1 | minus(2) | minus(3) | minus(4))
                finders += (scale1 & lightAfter).nonzeroBitCount + (scale1 & lightBefore).nonzeroBitCount
            }

            // N3 at scale 2, tested only where 11 00 1111 starts.
            let prefix2 = ~m1 & current & p1 & ~p2 & ~p3 & p4 & p5 & p6 & p7
            if prefix2 != 0 {
                let scale2 = prefix2 & plus(8) & plus(9) & ~plus(10) & ~plus(11) & plus(12) & plus(13) & ~plus(14)
                if scale2 != 0 {
                    var lightAfter = ~UInt64(0), lightBefore = ~UInt64(0)
                    for k in UInt64(14)..<22 { lightAfter &= ~plus(k) }
                    for k in UInt64(1)...8 { lightBefore &= ~minus(k) }
                    finders += (scale2 & lightAfter).nonzeroBitCount + (scale2 & lightBefore).nonzeroBitCount
                }
            }

            // Scale 3 and up: light 000 then dark 111111111.
            if ~current & ~p1 & ~p2 & p3 & p4 & p5 & p6 & p7 & plus(8) & plus(9) & plus(10) & plus(11) != 0 {
                mayHoldLargerFinder = true
            }
        }
    }

    /// Rule N3 along one line for patterns of scale `minimumScale` and up, walking its runs
    /// from the colour changes a word at a time, so the work is per run rather than per module.
    static func finderScore(size: Int, words: Int, line: UnsafePointer<UInt64>, minimumScale: Int) -> Int {
        var patterns = 0
        // The last seven run lengths, newest first.
        var history0 = 0, history1 = 0, history2 = 0, history3 = 0, history4 = 0, history5 = 0, history6 = 0
        // The line opens with a light run, possibly empty, which the light area before the
        // line extends by `size` modules.
        var runStart = -size
        var runIsDark = false

        @inline(__always) func addHistory(_ length: Int) {
            history6 = history5; history5 = history4; history4 = history3
            history3 = history2; history2 = history1; history1 = history0; history0 = length
        }
        // Finder-like patterns ending at the light run just added: 0, 1 or 2 (light on both
        // sides). The core test is one comparison, as it almost always fails.
        @inline(__always) func countPatterns() {
            let n = history1
            guard (history2 ^ n) | (history4 ^ n) | (history5 ^ n) | (history3 ^ (3 * n)) == 0, n >= minimumScale else { return }
            patterns += (history0 >= 4 * n && history6 >= n ? 1 : 0) + (history6 >= 4 * n && history0 >= n ? 1 : 0)
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
                addHistory(position - runStart)
                if !runIsDark { countPatterns() }
                runIsDark.toggle()
                runStart = position
            }
        }

        // Close the last run, then the light area after the line.
        var length = size - runStart
        if runIsDark {
            addHistory(length)
            length = 0
        }
        addHistory(length + size)
        countPatterns()
        return patterns * n3
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
