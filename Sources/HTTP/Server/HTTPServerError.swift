#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the server could not start, in words a person can act on ("address already in use").
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(message: String) { self.message = message }

    public var description: String { message }

    /// The one mapper from a failed C call to an error: reads the errno value, names the operation and
    /// adds a hint for the failures people actually hit. `operation` is an autoclosure so building its
    /// text cannot disturb errno before it is read.
    static func cFailure(_ operation: @autoclosure () -> String, code: Int32 = errno) -> HTTPServerError {
        var message = operation()
        if code != 0 { message += ": " + String(cString: strerror(code)) }
        switch code {
        case EADDRINUSE: message += " (another program is already listening on this port)"
        case EACCES: message += " (ports below 1024 need privileges)"
        case EADDRNOTAVAIL: message += " (this machine has no such address)"
        case EMFILE, ENFILE: message += " (too many open files)"
        default: break
        }
        return HTTPServerError(message: message)
    }
}
