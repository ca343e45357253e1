import ArgumentParser
import Foundation
import Portal

/// `clientone`: the console and the MSP's administration commands (SPEC §2).
@main
struct ClientOne: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clientone",
        abstract: "ClientOne Console: the customer account console of an MSP's Client Portal.",
        subcommands: [Serve.self, ClientCommand.self, UserCommand.self, StaffCommand.self, Backup.self, Outbox.self, QR.self])

    /// libcurl's global set-up runs first, before any thread exists.
    static func main() {
        Portal.prepareOutboundCalls()
        main(nil)
    }
}

/// Where the database is: `--db`, else `CLIENTONE_DB`, else `clientone.db` here.
struct DatabaseOption: ParsableArguments {
    @Option(name: .customLong("db"), help: "The SQLite database file (default: $CLIENTONE_DB or ./clientone.db).")
    var path: String?
    @Option(name: .customLong("key-file"), help: "The key file for authenticator secrets (default: the database path + .key, or $CLIENTONE_KEY_FILE).")
    var keyFile: String?

    var resolved: String {
        path ?? ProcessInfo.processInfo.environment["CLIENTONE_DB"] ?? "clientone.db"
    }

    var resolvedKeyFile: String? { keyFile ?? ProcessInfo.processInfo.environment["CLIENTONE_KEY_FILE"] }

    /// Opens the portal's services for a one-off command (no web front).
    func openPortal(caFile: String? = nil) throws -> Portal {
        var configuration = PortalConfiguration(databasePath: resolved, publicDirectory: "")
        configuration.keyFilePath = resolvedKeyFile
        configuration.caFile = caFile
        return try Portal(configuration: configuration)
    }
}

/// `on` / `off` for the `client set` switches.
enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on, off
    var isOn: Bool { self == .on }
}

/// Reads one line (a password) from standard input.
func readPasswordFromStandardInput() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw ValidationError("--password-stdin: no password on standard input")
    }
    return line
}

/// Writes one line to standard output at once (unbuffered: a supervisor or a test reading the pipe sees
/// each line as it happens, and lines from worker threads never interleave).
func say(_ line: String) {
    var text = line
    text.append("\n")
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}
