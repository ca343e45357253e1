@testable import WebAuthn

/// A CBOR encoder for building test inputs, deliberately naive: it writes maps in the order given
/// (so tests can make non-canonical or duplicate-key maps with `rawMap`) and heads in shortest form
/// unless `head(_:_:width:)` asks for a longer one.
enum CBORWriter {
    static func encode(_ item: CBOR) -> [UInt8] {
        switch item {
        case .unsigned(let value): return head(0, value)
        case .negative(let value): return head(1, value)
        case .bytes(let value): return head(2, UInt64(value.count)) + value
        case .text(let value): return head(3, UInt64(value.utf8.count)) + Array(value.utf8)
        case .array(let values): return head(4, UInt64(values.count)) + values.flatMap(encode)
        case .map(let entries): return head(5, UInt64(entries.count)) + entries.flatMap { encode($0.key) + encode($0.value) }
        case .bool(let value): return [value ? 0xF5 : 0xF4]
        case .null: return [0xF6]
        }
    }

    /// A map head followed by the given already-encoded keys and values, in that order.
    static func rawMap(_ entries: [([UInt8], [UInt8])]) -> [UInt8] {
        head(5, UInt64(entries.count)) + entries.flatMap { $0.0 + $0.1 }
    }

    /// An initial byte and argument; `width` forces 1, 2, 4 or 8 argument bytes.
    static func head(_ major: UInt8, _ argument: UInt64, width: Int? = nil) -> [UInt8] {
        let size = width ?? (argument < 24 ? 0 : argument <= 0xFF ? 1 : argument <= 0xFFFF ? 2 : argument <= 0xFFFF_FFFF ? 4 : 8)
        let info: UInt8 = switch size {
        case 0: UInt8(argument)
        case 1: 24
        case 2: 25
        case 4: 26
        default: 27
        }
        var bytes = [major << 5 | info]
        for shift in stride(from: (size - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: argument >> UInt64(shift)))
        }
        return bytes
    }
}

