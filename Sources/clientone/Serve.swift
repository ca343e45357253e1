import ArgumentParser
import Foundation
import HTTP
import Portal

/// `clientone serve`: runs the console until SIGINT or SIGTERM.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the console on this machine.")

    @OptionGroup var database: DatabaseOption
    @Option(help: "Address to listen on; anything but loopback needs an https --public-url.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port: UInt16 = 8080
    @Flag(help: "Seed demo data into an empty database and print the sign-ins.") var demo = false
    @Flag(help: "Shared-workstation mode: short idle sign-out, nothing kept after sign-out.") var kiosk = false
    @Option(name: .customLong("idle-timeout"), help: "Seconds of inactivity before sign-out (kiosk default 300, otherwise 1800).")
    var idleTimeout: Int64?
    @Option(name: .customLong("public-url"), help: "The console's origin as browsers reach it (default http://localhost:PORT).")
    var publicURL: String?
    @Option(help: "The name authenticator apps show for accounts.") var issuer = "ClientOne Console"
    @Option(help: "Send mail through this SMTP server (HOST:PORT), only over STARTTLS unless it is on this machine (loopback); without it mail stays in the outbox.")
    var smtp: String?
    @Option(name: .customLong("mail-from"), help: "The sender address of the console's mail.") var mailFrom = "no-reply@localhost"
    @Option(help: "Threads serving connections (1 to 64).") var threads = PortalConfiguration.defaultThreads
    @Option(name: .customLong("trusted-proxy"),
            help: "A reverse proxy's exact IP address (repeatable): only its connections may name the client in X-Forwarded-For.")
    var trustedProxies: [String] = []
    @Option(name: .customLong("ca-file"), help: "Extra trusted CA certificates (PEM) for outbound HTTPS to identity providers, beside the system's.")
    var caFile: String?

    func validate() throws {
        if issuer.isEmpty || issuer.count > 64 || issuer.utf8.count > 256 || issuer.contains(":") {
            throw ValidationError("--issuer must be 1 to 64 characters without a colon")
        }
        if let idleTimeout, !(30...86_400).contains(idleTimeout) {
            throw ValidationError("--idle-timeout must be between 30 and 86400 seconds")
        }
        if !(1...64).contains(threads) {
            throw ValidationError("--threads must be between 1 and 64")
        }
        if let caFile {
            guard let text = try? String(contentsOfFile: caFile, encoding: .utf8), text.contains("-----BEGIN CERTIFICATE-----") else {
                throw ValidationError("--ca-file \(caFile): not a readable PEM file of CA certificates")
            }
        }
    }

    func run() throws {
        var configuration = PortalConfiguration(databasePath: database.resolved, publicDirectory: try PublicDirectory.locate())
        configuration.host = host
        configuration.port = port
        configuration.kiosk = kiosk
        configuration.idleTimeout = idleTimeout
        configuration.publicURL = publicURL
        configuration.keyFilePath = database.resolvedKeyFile
        configuration.issuer = issuer
        configuration.smtp = smtp
        configuration.mailFrom = mailFrom
        configuration.threads = threads
        configuration.trustedProxies = trustedProxies
        configuration.caFile = caFile
        // Request lines go out in batches; everything else at once, after the lines before it.
        let output = LineWriter()
        defer { output.flush() }
        let tell: @Sendable (String) -> Void = { line in output.writeNow(line) }
        let application = try buildApplication(configuration, accessLog: { line in output.append(line) }, log: tell)
        if demo {
            if let signIns = try application.portal.seedDemo() {
                tell("Demo data added. Sign in with:")
                for signIn in signIns {
                    tell("  \(signIn.email)  password: \(signIn.password)  — \(signIn.role)")
                }
            } else {
                tell("The database already holds data; --demo changed nothing.")
            }
        }
        try application.start()
        tell(configuration.mailTransportSummary ?? "No --smtp given: mail is kept in the outbox (clientone outbox lists it).")
        tell("ClientOne Console is running at \(application.origin)/login (database \(configuration.databasePath), static files \(configuration.publicDirectory)\(kiosk ? ", kiosk mode" : "")). Press Ctrl-C to stop.")
        let signal = waitForTerminationSignal()
        tell("Received signal \(signal); finishing requests in flight and closing the database.")
        application.stop()
        tell("Stopped.")
    }
}
