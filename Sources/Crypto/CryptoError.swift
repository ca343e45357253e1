import COpenSSL

/// A failed cryptographic operation: the OpenSSL function (or API entry point) that failed and why,
/// so a log line explains the failure without a debugger.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    public let function: String
    public let reason: String

    public init(function: String, reason: String) {
        self.function = function
        self.reason = reason
    }

    public var description: String { "\(function) failed: \(reason)" }
}

extension CryptoError {
    /// The one translation from OpenSSL's error queue to a thrown error, called right after a failing call.
    /// The queue is per thread and accumulates, so it is drained completely: a leftover entry would
    /// otherwise be blamed on the next, unrelated failure. The earliest entry is reported because it is
    /// the root cause; later ones are the layers that passed it up.
    static func openSSL(_ function: String, otherwise fallback: String = "OpenSSL queued no reason") -> CryptoError {
        var first: UInt = 0
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if first == 0 { first = code }
        }
        guard first != 0 else { return CryptoError(function: function, reason: fallback) }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(first, &buffer, buffer.count)
        let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return CryptoError(function: function, reason: String(decoding: text, as: UTF8.self))
    }
}

/// Throws the mapped OpenSSL error unless `result` is 1, OpenSSL's success value for most calls.
func checkOpenSSL(_ result: Int32, _ function: String, otherwise fallback: String = "OpenSSL queued no reason") throws {
    guard result == 1 else { throw CryptoError.openSSL(function, otherwise: fallback) }
}

/// Lends `bytes` to OpenSSL as a pointer and a length. Some OpenSSL functions treat a null pointer as
/// an error even when the length is zero, so empty input is lent as a pointer to a spare byte.
func withInputBytes<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
    let array = Array(bytes)
    return try array.withUnsafeBufferPointer { buffer in
        if let base = buffer.baseAddress, !buffer.isEmpty {
            return try body(base, buffer.count)
        }
        let spare: UInt8 = 0
        return try withUnsafePointer(to: spare) { try body($0, 0) }
    }
}
