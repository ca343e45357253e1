extension Segment {
    /// The segments that write `text` in the fewest bits, switching between numeric,
    /// alphanumeric and byte mode wherever a switch pays for its header.
    ///
    /// Header widths depend on the version range (1–9, 10–26, 27–40), so the split is made for
    /// the smallest range whose largest symbol could hold the text at error correction L;
    /// `QRCode.encode(text:ecc:)` goes further and splits again for each range it tries.
    public static func makeSegments(_ text: String) -> [Segment] {
        let utf8 = Array(text.utf8)
        for range in VersionRange.all.dropLast() {
            let plan = OptimalSegmentation(utf8: utf8, range: range)
            if plan.totalBits <= range.largest.dataCodewords(at: .low) * 8 { return plan.segments() }
        }
        return OptimalSegmentation(utf8: utf8, range: VersionRange.all[2]).segments()
    }

    /// The segments that write `text` in the fewest bits at `version`.
    public static func makeSegments(_ text: String, for version: Version) -> [Segment] {
        OptimalSegmentation(utf8: Array(text.utf8), range: VersionRange(containing: version)).segments()
    }
}

/// Versions that share character-count widths (Table 3): within one range a segmentation costs
/// the same number of bits in every version.
struct VersionRange: Sendable {
    let smallest: Version
    let largest: Version

    static let all = [
        VersionRange(smallest: Version(1)!, largest: Version(9)!),
        VersionRange(smallest: Version(10)!, largest: Version(26)!),
        VersionRange(smallest: Version(27)!, largest: Version(40)!),
    ]

    init(smallest: Version, largest: Version) {
        self.smallest = smallest
        self.largest = largest
    }

    init(containing version: Version) { self = Self.all[version.countBitsColumn] }
}

/// The cheapest way to split UTF-8 text into segments, found by dynamic programming over its
/// bytes.
///
/// Costs are exact rather than the usual per-character averages: a digit costs 4 bits when it
/// opens a group of three and 3 bits otherwise (groups take 4, 7, 10 bits), an alphanumeric
/// character 6 bits when it opens a pair and 5 otherwise (6, 11 bits), a byte 8 bits. So the
/// state after each byte is the mode of its segment and, for numeric and alphanumeric mode,
/// the position in the current group; starting a segment adds its 4-bit mode indicator and
/// count field. A segment never starts inside a multi-byte UTF-8 character.
struct OptimalSegmentation {
    /// The text.
    let utf8: [UInt8]
    /// Mode of each byte and whether a new segment starts there.
    private let plan: [(mode: Segment.Mode, startsSegment: Bool)]
    /// Bits of the whole segmentation, headers included.
    let totalBits: Int

    // States: numeric with 1, 2 or 0 (mod 3) digits so far; alphanumeric with 1 or 0 (mod 2)
    // characters so far; byte. `start` stands for "no segment yet" in back pointers.
    private static let numeric1 = 0, numeric2 = 1, numeric0 = 2, alpha1 = 3, alpha0 = 4, byte = 5
    private static let stateCount = 6, start: UInt8 = 6, newSegmentFlag: UInt8 = 0x80
    private static let unreachable = Int.max / 4

    init(utf8: [UInt8], range: VersionRange) {
        self.utf8 = utf8
        let version = range.smallest
        let numericHeader = 4 + Segment.Mode.numeric.characterCountBits(at: version)
        let alphaHeader = 4 + Segment.Mode.alphanumeric.characterCountBits(at: version)
        let byteHeader = 4 + Segment.Mode.byte.characterCountBits(at: version)
        let count = utf8.count
        let states = Self.stateCount

        // back[i * states + s]: the state before byte i on the cheapest way to reach state s
        // after it, with `newSegmentFlag` set when byte i opens a segment.
        var back = [UInt8](repeating: Self.start, count: count * states)
        var cost = [Int](repeating: Self.unreachable, count: states)
        var next = cost
        for index in 0..<count {
            let byte = utf8[index]
            // The cheapest state to close a segment in, so that a new one opens at this byte.
            var closeCost = index == 0 ? 0 : Self.unreachable
            var closeState = Self.start
            if index > 0 {
                for state in 0..<states where cost[state] < closeCost {
                    closeCost = cost[state]
                    closeState = UInt8(state)
                }
            }
            let row = index * states
            func relax(_ target: Int, continuing from: Int, _ continueBits: Int, orOpening headerBits: Int) {
                let continued = from < states ? cost[from] + continueBits : Self.unreachable
                let opened = closeCost + headerBits
                // Ties keep the current segment: fewer segments for the same length.
                if continued <= opened {
                    next[target] = continued
                    back[row + target] = UInt8(from)
                } else {
                    next[target] = opened
                    back[row + target] = closeState | Self.newSegmentFlag
                }
            }
            for state in 0..<states { next[state] = Self.unreachable }
            if Segment.Mode.isDigit(byte) {
                relax(Self.numeric1, continuing: Self.numeric0, 4, orOpening: numericHeader + 4)
                relax(Self.numeric2, continuing: Self.numeric1, 3, orOpening: Self.unreachable)
                relax(Self.numeric0, continuing: Self.numeric2, 3, orOpening: Self.unreachable)
            }
            if Segment.Mode.isAlphanumeric(byte) {
                relax(Self.alpha1, continuing: Self.alpha0, 6, orOpening: alphaHeader + 6)
                relax(Self.alpha0, continuing: Self.alpha1, 5, orOpening: Self.unreachable)
            }
            let isContinuationByte = byte & 0xC0 == 0x80
            relax(Self.byte, continuing: Self.byte, 8, orOpening: isContinuationByte ? Self.unreachable : byteHeader + 8)
            swap(&cost, &next)
        }

        var state = 0
        var best = count == 0 ? 0 : Self.unreachable
        for candidate in 0..<states where count > 0 && cost[candidate] < best {
            best = cost[candidate]
            state = candidate
        }
        totalBits = best

        var plan = [(mode: Segment.Mode, startsSegment: Bool)](repeating: (.byte, false), count: count)
        var index = count - 1
        while index >= 0 {
            let pointer = back[index * states + state]
            plan[index] = (Self.mode(ofState: state), pointer & Self.newSegmentFlag != 0 || pointer == Self.start)
            state = Int(pointer & ~Self.newSegmentFlag)
            index -= 1
        }
        self.plan = plan
    }

    private static func mode(ofState state: Int) -> Segment.Mode {
        switch state {
        case numeric1, numeric2, numeric0: .numeric
        case alpha1, alpha0: .alphanumeric
        default: .byte
        }
    }

    /// The segments of the plan, in order.
    func segments() -> [Segment] {
        var result: [Segment] = []
        var start = 0
        while start < utf8.count {
            var end = start + 1
            while end < utf8.count && !plan[end].startsSegment { end += 1 }
            let bytes = utf8[start..<end]
            switch plan[start].mode {
            case .numeric: result.append(.numeric(ascii: bytes))
            case .alphanumeric: result.append(.alphanumeric(ascii: bytes))
            case .byte: result.append(.bytes(bytes))
            }
            start = end
        }
        return result
    }
}
