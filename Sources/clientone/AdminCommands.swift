import ArgumentParser
import Portal

/// `clientone client add|set|sso`.
struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "Add or change a client company.",
                                                    subcommands: [Add.self, Set.self, SingleSignOn.self])

    /// `clientone client sso NAME-OR-ID …` and `… --off`.
    struct SingleSignOn: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sso", abstract: "Set, change or turn off the client's identity provider (OpenID Connect single sign-on).")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The client's name or id.") var client: String
        @OptionGroup var provider: ProviderOptions
        @Option(name: .customLong("trust-email"), help: "Link first sign-ins by email even when the provider does not mark it verified.")
        var trustEmail: Switch?
        @Option(name: .customLong("trust-idp-mfa"), help: "Count the provider's multi-factor sign-in (amr/acrs) for the client's MFA rule.")
        var trustProviderMFA: Switch?
        @Option(name: .customLong("create-users"), help: "Create an active account on the first sign-in of a verified address of the client's domains.")
        var createUsers: Switch?

        func validate() throws {
            try provider.validate(extraGiven: trustEmail != nil || trustProviderMFA != nil || createUsers != nil)
        }

        func run() throws {
            try provider.apply(to: client, database: database, trustEmail: trustEmail?.isOn, trustProviderMFA: trustProviderMFA?.isOn,
                               createUsers: createUsers?.isOn)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a client.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The client's name.") var name: String
        @Flag(name: .customLong("portal-disabled"), help: "Create it with the portal turned off.") var portalDisabled = false
        @Flag(name: .customLong("sso-only"), help: "Its users sign in through single sign-on only.") var ssoOnly = false
        @Flag(name: .customLong("require-mfa"), help: "Its users must use a second factor.") var requireMFA = false
        @Flag(help: "Billing is enabled (invoice reminders).") var billing = false

        func run() throws {
            let portal = try database.openPortal()
            defer { portal.close() }
            let client = try portal.addClient(name: name, settings: ClientSettings(
                portalEnabled: !portalDisabled, ssoOnly: ssoOnly, requireMFA: requireMFA, billingEnabled: billing))
            print("Added client \(client.id): \(client.name) (verify-callers on)")
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a client's portal settings.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The client's name or id.") var client: String
        @Option(help: "Portal access on or off.") var portal: Switch?
        @Option(name: .customLong("sso-only"), help: "Single sign-on only, on or off.") var ssoOnly: Switch?
        @Option(name: .customLong("require-mfa"), help: "Second factor required, on or off.") var requireMFA: Switch?
        @Option(help: "Billing, on or off.") var billing: Switch?
        @Option(name: .customLong("verify-callers"),
                help: "Verify callers before account resets (a code mailed to the user before Unlock, Reset two-factor authentication, Send the invitation again), on or off.")
        var verifyCallers: Switch?
        @Option(name: .customLong("view-consent"), help: "Customers approve administrator views (\"View as customer\" asks them first), on or off.")
        var viewConsent: Switch?

        func validate() throws {
            if portal == nil, ssoOnly == nil, requireMFA == nil, billing == nil, verifyCallers == nil, viewConsent == nil {
                throw ValidationError("nothing to change: give --portal, --sso-only, --require-mfa, --billing, --verify-callers or --view-consent")
            }
        }

        func run() throws {
            let store = try database.openPortal()
            defer { store.close() }
            let updated = try store.updateClient(client, settings: ClientSettings(
                portalEnabled: portal?.isOn, ssoOnly: ssoOnly?.isOn, requireMFA: requireMFA?.isOn, billingEnabled: billing?.isOn,
                verifyCallers: verifyCallers?.isOn, viewConsent: viewConsent?.isOn))
            func word(_ on: Bool) -> String { on ? "on" : "off" }
            print("Client \(updated.id) \(updated.name): portal \(word(updated.portalEnabled)), sso-only \(word(updated.ssoOnly)), require-mfa \(word(updated.requireMFA)), billing \(word(updated.billingEnabled)), verify-callers \(word(try store.verifiesCallers(clientID: updated.id))), view-consent \(word(updated.viewConsent))")
        }
    }
}

/// `clientone user add`.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Add a customer user.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a customer user to a client.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The client's name or id.") var client: String
        @Option(help: "Sign-in email address.") var email: String
        @Option(help: "Full name.") var name: String
        @Option(help: "Phone number.") var phone: String?
        @Option(help: "Job title (managed by the MSP).") var title: String?
        @Option(help: "Mobile number (managed by the MSP).") var mobile: String?
        @Flag(name: .customLong("password-stdin"), help: "Read the password from one line of standard input.") var passwordStdin = false

        func run() throws {
            let password = passwordStdin ? try readPasswordFromStandardInput() : nil
            let portal = try database.openPortal()
            defer { portal.close() }
            let user = try portal.addCustomer(NewCustomer(client: client, email: email, name: name, phone: phone, title: title,
                                                          mobile: mobile, password: password))
            print("Added customer user \(user.id): \(user.email) (\(user.status.rawValue))")
        }
    }
}

/// `clientone staff add|sso`.
struct StaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "staff", abstract: "Add an MSP staff account, or set staff single sign-on.",
                                                    subcommands: [Add.self, SingleSignOn.self])

    /// `clientone staff sso …` and `… --off`: staff sign in at /admin/login through the MSP's own provider.
    struct SingleSignOn: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sso", abstract: "Set, change or turn off the MSP's identity provider for staff sign-in.")
        @OptionGroup var database: DatabaseOption
        @OptionGroup var provider: ProviderOptions

        func validate() throws { try provider.validate(extraGiven: false) }

        func run() throws { try provider.apply(to: nil, database: database, trustEmail: nil, trustProviderMFA: nil, createUsers: nil) }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a staff member (administrator).")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Sign-in email address.") var email: String
        @Option(help: "Full name.") var name: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from one line of standard input.") var passwordStdin = false

        func validate() throws {
            if !passwordStdin { throw ValidationError("staff accounts need a password: pass --password-stdin and pipe it in") }
        }

        func run() throws {
            let password = try readPasswordFromStandardInput()
            let portal = try database.openPortal()
            defer { portal.close() }
            let staff = try portal.addStaff(email: email, name: name, password: password)
            print("Added staff \(staff.id): \(staff.email)")
        }
    }
}

/// `clientone backup --to FILE`: an online copy through SQLite's backup API.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Copy the database to a new file while the console runs.")
    @OptionGroup var database: DatabaseOption
    @Option(help: "The new file (must not exist).") var to: String

    func run() throws {
        let portal = try database.openPortal()
        defer { portal.close() }
        try portal.backup(to: to)
        print("Backed up \(database.resolved) to \(to)")
    }
}

/// `clientone outbox`: the mail the console recorded, newest first, with the bodies. The link of a held
/// message (no SMTP server: nobody else can pass it on) is shown, without an audit entry: whoever runs
/// this holds the database and its key file, so could write a reset link of their own and delete any
/// record of it, and an entry written by the same hand would prove nothing. The rule that binds staff
/// binds the terminal too: a message sent, or handed to an SMTP server, never shows its link here.
struct Outbox: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the mail in the outbox, newest first (links only in held messages, never in sent ones).")
    @OptionGroup var database: DatabaseOption
    @Option(help: "How many messages to list.") var limit = 20

    func run() throws {
        let portal = try database.openPortal()
        defer { portal.close() }
        let messages = try portal.outboxMessages(limit: limit)
        if messages.isEmpty { print("The outbox is empty.") }
        for message in messages {
            print("#\(message.id) \(message.status.rawValue) to \(message.recipient): \(message.subject)")
            if let error = message.lastError { print("  last error after \(message.attempts) attempt(s): \(error)") }
            for line in message.body.split(separator: "\n", omittingEmptySubsequences: false) { print("  | \(line)") }
            print("")
        }
    }
}

/// The options `client sso` and `staff sso` share.
struct ProviderOptions: ParsableArguments {
    @Option(help: "The provider's issuer URL (its discovery document must name it exactly).") var issuer: String?
    @Option(name: .customLong("client-id"), help: "The console's client (application) ID at the provider.") var clientID: String?
    @Flag(name: .customLong("client-secret-stdin"),
          help: "Read the client secret from one line of standard input (may be left out when changing a provider: the secret is kept).")
    var clientSecretStdin = false
    @Option(name: .customLong("domain"), help: "An email domain whose addresses sign in through this provider (repeat for more).")
    var domains: [String] = []
    @Option(name: .customLong("tenant"), help: "Microsoft Entra ID: the directory (tenant) ID, a GUID.") var tenant: String?
    @Option(name: .customLong("display-name"), help: "The name on \"Continue with …\" (default from the issuer: Microsoft Entra ID, Google, Okta).")
    var displayName: String?
    @Flag(help: "Turn single sign-on off (the provider and its domains are removed).") var off = false
    @Option(name: .customLong("ca-file"), help: "Extra trusted CA certificates (PEM) for checking the issuer's discovery document, as serve's --ca-file.")
    var caFile: String?

    func validate(extraGiven: Bool) throws {
        if off {
            if issuer != nil || clientID != nil || clientSecretStdin || !domains.isEmpty || tenant != nil || displayName != nil || extraGiven {
                throw ValidationError("--off takes no other option")
            }
            return
        }
        guard issuer != nil else { throw ValidationError("give --issuer URL (or --off)") }
        guard clientID != nil else { throw ValidationError("give --client-id ID") }
        guard !domains.isEmpty else { throw ValidationError("give at least one --domain") }
    }

    func apply(to client: String?, database: DatabaseOption, trustEmail: Bool?, trustProviderMFA: Bool?, createUsers: Bool?) throws {
        let secret = clientSecretStdin ? try readSecretFromStandardInput() : nil
        let portal = try database.openPortal(caFile: caFile)
        defer { portal.close() }
        let owner = client.map { "client \($0)" } ?? "staff sign-in"
        if off {
            let removed = try portal.removeSingleSignOn(client: client)
            print("Single sign-on for \(owner) is off (\(removed) removed)")
            return
        }
        let provider = try portal.configureSingleSignOn(client: client, IdentityProviderSettings(
            issuer: issuer ?? "", clientID: clientID ?? "", clientSecret: secret, domains: domains, tenantID: tenant,
            displayName: displayName, trustEmail: trustEmail, trustProviderMFA: trustProviderMFA, createUsers: createUsers))
        print("Single sign-on for \(owner): \(provider.summary); client secret set")
        print("Register the redirect URI ORIGIN\(Portal.singleSignOnCallbackPath) at the provider (ORIGIN: serve's --public-url, "
              + "by default http://localhost:8080)")
    }
}

/// Reads one line (a client secret) from standard input.
func readSecretFromStandardInput() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw ValidationError("--client-secret-stdin: no secret on standard input")
    }
    return line
}
