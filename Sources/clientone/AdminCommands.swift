import ArgumentParser
import Portal

/// `clientone client add|set`.
struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "Add or change a client company.",
                                                    subcommands: [Add.self, Set.self])

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
            print("Added client \(client.id): \(client.name)")
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

        func validate() throws {
            if portal == nil, ssoOnly == nil, requireMFA == nil, billing == nil {
                throw ValidationError("nothing to change: give --portal, --sso-only, --require-mfa or --billing")
            }
        }

        func run() throws {
            let store = try database.openPortal()
            defer { store.close() }
            let updated = try store.updateClient(client, settings: ClientSettings(
                portalEnabled: portal?.isOn, ssoOnly: ssoOnly?.isOn, requireMFA: requireMFA?.isOn, billingEnabled: billing?.isOn))
            func word(_ on: Bool) -> String { on ? "on" : "off" }
            print("Client \(updated.id) \(updated.name): portal \(word(updated.portalEnabled)), sso-only \(word(updated.ssoOnly)), require-mfa \(word(updated.requireMFA)), billing \(word(updated.billingEnabled))")
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

/// `clientone staff add`.
struct StaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "staff", abstract: "Add an MSP staff account.", subcommands: [Add.self])

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
