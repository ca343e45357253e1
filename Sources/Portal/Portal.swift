import Crypto
import HTTPClient
import OIDC
import Mail
import Store
import Threads

/// The application's services over one database: what the web handlers and the command line call.
/// Rules (who may do what, limits, audit) live here, so tests can call them without HTTP.
public final class Portal: Sendable {
    public let configuration: PortalConfiguration
    let pool: DatabasePool
    let clock: any Clock
    let hasher: GatedHasher
    /// The key CSRF tokens are derived from; random per database, kept in `settings`. Prepared once:
    /// every page computes a token with it.
    let csrfKey: HMACKey
    /// The key file's key and its per-purpose sub-keys (authenticator secrets, outbox bodies, recovery-code hashes).
    let secretKey: SecretKey
    /// Single sign-on's client of the identity providers: their metadata and keys, cached; the token
    /// requests. Outbound HTTPS through libcurl.
    let relyingParty: RelyingParty
    private let currentOrigin = Locked("")

    /// Where the services' operational lines go (the mail worker's attempts), the same stream as the web
    /// front's (an error's reference). `serve` prints them at once, between the access log's batched
    /// lines; `buildApplication` given no `log` uses the access log's; a Portal made without one drops them.
    let log: @Sendable (String) -> Void
    /// The SMTP worker, while `serve --smtp` runs.
    let delivery = Locked<MailDelivery?>(nil)

    /// Opens (creating and migrating) the database.
    public init(configuration: PortalConfiguration, clock: any Clock = SystemClock(),
                log: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.configuration = configuration
        self.clock = clock
        self.log = log
        hasher = GatedHasher(hasher: PasswordHasher(iterations: configuration.passwordIterations),
                             gate: HashingGate(permits: configuration.hashingThreads))
        if let smtp = configuration.smtp, SMTPClient.parseHostPort(smtp) == nil { throw ConfigurationError.invalidSMTP(smtp) }
        pool = try DatabasePool(path: configuration.databasePath, maxConnections: max(2, configuration.threads + configuration.hashingThreads + 1))
        try pool.withConnection { db in _ = try Schema.migrator.migrate(db) }
        csrfKey = HMACKey(.sha256, key: try pool.write { db in
            if let existing = try db.queryOne("SELECT value FROM settings WHERE key = 'csrf_key'")?.blob("value") {
                return existing
            }
            let key = SecureRandom.bytes(count: 32)
            try db.run("INSERT INTO settings (key, value) VALUES ('csrf_key', \(key))")
            return key
        })
        let keyPath = configuration.keyFilePath ?? SecretKey.defaultPath(forDatabase: configuration.databasePath)
        secretKey = try pool.withConnection { db in try SecretKey.open(path: keyPath, db) }
        HTTPClient.initializeLibrary()
        let clock = clock
        relyingParty = RelyingParty(transport: ProviderTransport(HTTPClient(configuration: HTTPClientConfiguration(caFile: configuration.caFile))),
                                    now: { clock.now() })
        currentOrigin.withLock { $0 = configuration.publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            ?? "http://localhost:\(configuration.port)" }
    }

    /// The console's origin as browsers reach it (the port is known once the server is bound): the base of
    /// the redirect URI providers send people back to.
    var origin: String { currentOrigin.withLock { $0 } }

    func setOrigin(_ origin: String) { currentOrigin.withLock { $0 = origin } }

    /// libcurl's one-time global set-up; the entry point calls it before threads start (`init` does too,
    /// for callers that construct a portal first thing).
    public static func prepareOutboundCalls() { HTTPClient.initializeLibrary() }

    /// Closes the database once every connection in use is back (and the mail worker has stopped).
    public func close() {
        stopMailDelivery()
        pool.close()
    }

    /// Starts sending the outbox when an SMTP server is configured.
    public func startMailDelivery() throws {
        guard let smtp = configuration.smtp else { return }
        guard let (host, port) = SMTPClient.parseHostPort(smtp) else {
            throw ConfigurationError.invalidSMTP(smtp)
        }
        var settings = SMTPConfiguration(host: host, port: port)
        // TLS is required except from a loopback relay; the option can only add the requirement.
        settings.requireTLS = !SMTPConfiguration.isLoopback(host) || configuration.smtpRequireTLS
        settings.verifyCertificate = configuration.smtpVerifyCertificate
        let from = try MailAddress(configuration.mailFrom, displayName: configuration.issuer)
        let worker = MailDelivery(portal: self, smtp: settings, from: from)
        delivery.withLock { $0 = worker }
        worker.start()
    }

    func stopMailDelivery() {
        delivery.withLock { worker in
            worker?.stop()
            worker = nil
        }
    }

    /// Tells the mail worker a message was just committed.
    func wakeMailDelivery() {
        delivery.withLock { $0 }?.wake()
    }

    /// An online copy of the database into a new file (SQLite's backup API).
    public func backup(to path: String) throws {
        try pool.withConnection { db in try db.backup(to: path) }
    }

    var now: Int64 { clock.now() }
}

/// Who did something, for the audit log: the customer, the staff member, or both while an administrator
/// views a customer's account.
struct Actor: Sendable, Equatable {
    var customerUserID: Int64?
    var staffID: Int64?
    var clientID: Int64?
    var ip: String
    /// The customer's account is being changed by the administrator (`staffID`) viewing it.
    var isAdministratorViewing = false
    /// The customer session the change comes from: its next page confirms the change (post/redirect/get).
    var sessionID: Int64?
    /// The browser's User-Agent, kept with the audit event ("Chrome on Windows" in Recent activity).
    var userAgent: String = ""

    static func system() -> Actor { Actor(customerUserID: nil, staffID: nil, clientID: nil, ip: "") }
}
