extension QRCode {
    /// Encodes `text` in the smallest symbol that holds it at `ecc`, split into numeric,
    /// alphanumeric and byte segments for the fewest bits (UTF-8 in byte mode), with the level
    /// raised as far as the chosen version allows and the mask of lowest penalty.
    ///
    /// Throws `QRCodeError.dataTooLong` when not even version 40 holds the text at `ecc`.
    public static func encode(text: String, ecc: ErrorCorrection = .medium) throws(QRCodeError) -> QRCode {
        // The best split depends on the count-field widths, which change at versions 10 and
        // 27: split once per version range, smallest range first.
        let utf8 = Array(text.utf8)
        var neededBits = 0
        for range in VersionRange.all {
            let plan = OptimalSegmentation(utf8: utf8, range: range)
            neededBits = plan.totalBits
            if plan.totalBits <= range.largest.dataCodewords(at: ecc) * 8 {
                return try encode(segments: plan.segments(), ecc: ecc, minVersion: range.smallest, maxVersion: range.largest)
            }
        }
        throw .dataTooLong(errorCorrection: ecc, maxVersion: .max, neededBits: neededBits,
                           capacityBits: Version.max.dataCodewords(at: ecc) * 8)
    }

    /// Encodes `segments` in the smallest version within `minVersion...maxVersion` that holds
    /// them at `ecc`.
    ///
    /// - Parameters:
    ///   - mask: the mask to apply, or nil to try all eight and keep the one of lowest penalty.
    ///   - boostECC: raise the error-correction level as far as the data still fits the
    ///     chosen version; the symbol gets no bigger and reads better when damaged.
    /// - Throws: `QRCodeError.dataTooLong` when `maxVersion` cannot hold the segments at `ecc`.
    public static func encode(segments: [Segment], ecc: ErrorCorrection, minVersion: Version = .min,
                              maxVersion: Version = .max, mask: Mask? = nil, boostECC: Bool = true) throws(QRCodeError) -> QRCode {
        precondition(minVersion <= maxVersion, "minVersion is above maxVersion")

        // 1. The smallest version in range whose data capacity at `ecc` holds the segments
        //    (the header widths, and so the bit count, depend on the version).
        var version = minVersion
        var dataBits: Int
        while true {
            let capacityBits = version.dataCodewords(at: ecc) * 8
            if let used = Segment.totalBits(segments, version: version), used <= capacityBits {
                dataBits = used
                break
            }
            guard version < maxVersion, let next = version.next else {
                throw .dataTooLong(errorCorrection: ecc, maxVersion: maxVersion,
                                   neededBits: Segment.uncheckedTotalBits(segments, version: maxVersion),
                                   capacityBits: capacityBits)
            }
            version = next
        }

        // 2. The highest level at which the data still fits this version.
        var ecc = ecc
        if boostECC {
            for higher in ErrorCorrection.allCases where higher.tableRow > ecc.tableRow
                && dataBits <= version.dataCodewords(at: higher) * 8 {
                ecc = higher
            }
        }
        // 3–5. The data codewords: segments, terminator, padding.
        let data = dataCodewords(for: segments, version: version, ecc: ecc)
        assert(data.count == version.dataCodewords(at: ecc))

        // 6. Split into blocks, add each block's error-correction codewords, interleave (§7.5, §7.6).
        let codewords = errorCorrectedCodewords(data: data, version: version, ecc: ecc)
        assert(codewords.count == version.rawCodewords)

        // 7. Function patterns, then the codewords in the zigzag order (§7.7).
        var grid = ModuleGrid(version: version)
        grid.placeCodewords(codewords)

        // 8. The mask and the format information that names it (§7.8, §7.9).
        var symbol = PackedSymbol(grid: grid, ecc: ecc)
        let chosenMask = symbol.applyBestMask(mask)
        return QRCode(version: version, errorCorrection: ecc, mask: chosenMask, rows: symbol.rows)
    }

    /// The data codewords of `segments` at `version` and `ecc`, which must hold them: the bit
    /// stream of the segments, the terminator, and padding up to the capacity.
    static func dataCodewords(for segments: [Segment], version: Version, ecc: ErrorCorrection) -> [UInt8] {
        let capacityBits = version.dataCodewords(at: ecc) * 8

        // The bit stream: each segment's mode indicator, character count and data (§7.4).
        var bits = BitBuffer(capacity: capacityBits)
        for segment in segments {
            bits.append(segment.mode.indicator, bitCount: 4)
            bits.append(UInt32(segment.characterCount), bitCount: segment.mode.characterCountBits(at: version))
            bits.append(contentsOf: segment.bits)
        }
        assert(bits.count <= capacityBits, "segments longer than the capacity")

        // The terminator, up to four 0 bits as room allows, then 0 bits to a codeword
        // boundary (§7.4.9, §7.4.10).
        bits.append(0, bitCount: Swift.min(4, capacityBits - bits.count))
        bits.append(0, bitCount: (8 - bits.count % 8) % 8)
        assert(bits.count % 8 == 0 && bits.count <= capacityBits)

        // Pad codewords 11101100 and 00010001 in turn up to the capacity (§7.4.10).
        var padByte: UInt32 = 0xEC
        while bits.count < capacityBits {
            bits.append(padByte, bitCount: 8)
            padByte ^= 0xEC ^ 0x11
        }
        return bits.bytes
    }

    /// The data codewords split into the version's blocks, each followed by its Reed–Solomon
    /// codewords, and interleaved: first codeword of every block, then the second, and so on,
    /// data before error correction (§7.6). The first blocks are one data codeword shorter when
    /// the codewords do not divide evenly (Table 9 lists both block lengths).
    static func errorCorrectedCodewords(data: [UInt8], version: Version, ecc: ErrorCorrection) -> [UInt8] {
        precondition(data.count == version.dataCodewords(at: ecc), "wrong number of data codewords")
        let blockCount = version.eccBlockCount(ecc)
        let eccPerBlock = version.eccCodewordsPerBlock(ecc)
        let rawCodewords = version.rawCodewords
        let longBlocks = rawCodewords % blockCount
        let shortBlocks = blockCount - longBlocks
        let shortDataLength = rawCodewords / blockCount - eccPerBlock
        let coder = ReedSolomon(degree: eccPerBlock)

        var result = [UInt8](repeating: 0, count: rawCodewords)
        var remainder = [UInt8](repeating: 0, count: eccPerBlock)
        data.withUnsafeBufferPointer { data in
            result.withUnsafeMutableBufferPointer { result in
                remainder.withUnsafeMutableBufferPointer { remainder in
                    var blockStart = 0
                    for block in 0..<blockCount {
                        let isLong = block >= shortBlocks
                        let length = shortDataLength + (isLong ? 1 : 0)
                        let blockData = UnsafeBufferPointer(rebasing: data[blockStart..<(blockStart + length)])
                        // Codeword i of every block sits in column i of the interleaved order;
                        // the extra codeword of the long blocks comes after all short ones.
                        for i in 0..<shortDataLength { result[i * blockCount + block] = blockData[i] }
                        if isLong { result[shortDataLength * blockCount + block - shortBlocks] = blockData[shortDataLength] }
                        coder.remainder(of: blockData, into: remainder)
                        for i in 0..<eccPerBlock { result[data.count + i * blockCount + block] = remainder[i] }
                        blockStart += length
                    }
                }
            }
        }
        return result
    }
}
