/// The MSP administrator's pages: sign-in, clients, a client, a user, the audit log, the outbox.
/// What the administrator-view notice says.
public struct ImpersonationNotice: Sendable {
    public var staffName: String
    /// As the administrator typed it when opening the view.
    public var reason: String
    public var secondsLeft: Int

    public init(staffName: String, reason: String, secondsLeft: Int) {
        self.staffName = staffName
        self.reason = reason
        self.secondsLeft = secondsLeft
    }
}

public enum AdminView {
    /// The staff member signed in, for the frame of every administrator page.
    public struct Staff: Sendable {
        public var name: String
        public var email: String
        public var csrfToken: String

        public init(name: String, email: String, csrfToken: String) {
            self.name = name
            self.email = email
            self.csrfToken = csrfToken
        }
    }

    public enum Section: Sendable { case clients, audit, outbox, security }

    /// How a status badge looks: on (green), off (grey), neutral (blue), warning (amber).
    public enum Tone: Sendable { case on, off, neutral, warning }

    /// A status as a badge, the way the customer side shows Enabled/Disabled.
    static func badge(_ text: String, _ tone: Tone) -> HTML {
        let modifier: String
        switch tone {
        case .on: modifier = "on"
        case .off: modifier = "off"
        case .neutral: modifier = "neutral"
        case .warning: modifier = "warn"
        }
        return "<span class=\"badge badge--\(modifier)\">\(text)</span>"
    }

    /// One cell of an administrator table, with an optional class (`table__when`, `table__detail`).
    struct Cell {
        var content: HTML
        var className: String?
        init(_ content: HTML, _ className: String? = nil) {
            self.content = content
            self.className = className
        }
    }

    /// A table that uses the width it is given and, on a phone (the stylesheet's 40rem), turns each row
    /// into a card whose cells carry their column's name (`data-label`). The explicit roles keep it a
    /// table for assistive technology when the stylesheet changes how its parts are displayed.
    static func table(label: String, caption: HTML, headers: [String], rows: [[Cell]]) -> HTML {
        """
        <div class="table-wrap" tabindex="0" role="region" aria-label="\(label)">
        <table class="table table--cards" role="table">
          <caption class="visually-hidden">\(caption)</caption>
          <thead role="rowgroup"><tr role="row">\(HTML.each(headers) { header in "<th scope=\"col\" role=\"columnheader\">\(header)</th>" })</tr></thead>
          <tbody role="rowgroup">
          \(HTML.each(rows) { cells in """
            <tr role="row">\(HTML.join(cells.enumerated().map { index, cell in
                let name = index < headers.count ? headers[index] : ""
                let className: HTML = cell.className.map { " class=\"\($0)\"" } ?? .empty
                return "<td role=\"cell\" data-label=\"\(name)\"\(className)>\(cell.content)</td>"
            }))</tr>
            """ })
          </tbody>
        </table>
        </div>
        """
    }

    /// A value for a URL's query: everything but letters, digits and `-._~` percent-encoded (UTF-8).
    static func queryValue(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// The frame of a signed-in administrator page: the header says "Administrator", Sign Out ends the
    /// staff session, the footer speaks to staff, and the content may use the window's width.
    public static func chrome(_ title: String, staff: Staff) -> Chrome {
        var chrome = Chrome(title: title, account: AccountHeader(name: staff.name, email: staff.email), csrfToken: staff.csrfToken)
        chrome.signOutAction = "/admin/logout"
        chrome.home = "/admin"
        chrome.audience = .staff
        return chrome
    }

    static func page(_ title: String, staff: Staff, section: Section, message: Message? = nil, content: HTML) -> HTML {
        Layout.page(chrome(title, staff: staff), content: """
        <nav class="tabs" aria-label="Administration">
          \(Layout.tabLink("Clients", href: "/admin", current: section == .clients))
          \(Layout.tabLink("Audit log", href: "/admin/audit", current: section == .audit))
          \(Layout.tabLink("Outbox", href: "/admin/outbox", current: section == .outbox))
          \(Layout.tabLink("Your security", href: "/admin/security", current: section == .security))
        </nav>
        <p class="admin-who">Signed in as MSP staff: \(staff.name) (\(staff.email))</p>
        \(Form.alert(message))
        \(content)
        """)
    }

    // MARK: Sign-in

    /// The second step of staff sign-in: which factors the staff member has.
    public struct SecondFactors: Sendable {
        public var authenticator: Bool
        public var passkey: Bool
        public init(authenticator: Bool, passkey: Bool) {
            self.authenticator = authenticator
            self.passkey = passkey
        }
    }

    /// Staff sign-in: email and password; then, with `codeStep`, the second step, offering each factor the
    /// staff member has (the authenticator code's form, the passkey button, or both).
    public static func login(csrfToken: String, email: String = "", error: String? = nil, status: String? = nil,
                             codeStep: SecondFactors? = nil, singleSignOn: SingleSignOnChoice? = nil) -> HTML {
        let form: HTML = codeStep.map { factors in """
            \(HTML.when(factors.authenticator, """
              <p>Enter the 6-digit code from your authenticator app.</p>
              <form method="post" action="/admin/login" novalidate autocomplete="off">
                \(Form.csrf(csrfToken))
                \(Form.field(id: "code", name: "code", label: "Authenticator code", required: true, autocomplete: "one-time-code",
                             maxLength: 7, extra: " inputmode=\"numeric\" autofocus"))
                <button type="submit" class="button button--primary button--block">Verify</button>
              </form>
              """))
            \(HTML.when(factors.passkey, PasskeyView.signInButton(label: "Use a passkey or security key", action: "/admin/login/passkey")))
            \(Form.csrf(csrfToken))
            """ } ?? """
            \(singleSignOn.map(LoginView.passwordAlternative) ?? .empty)
            <form method="post" action="/admin/login" novalidate>
              \(Form.csrf(csrfToken))
              \(Form.field(id: "email", name: "email", label: "Email", type: "email", value: email, required: true,
                           autocomplete: "username", maxLength: 254))
              \(Form.field(id: "password", name: "password", label: "Password", type: "password", required: true,
                           autocomplete: "current-password", maxLength: 1024))
              <button type="submit" class="button button--primary button--block">Sign in</button>
            </form>
            """
        var chrome = Chrome(title: "Administrator sign-in")
        chrome.home = "/admin"
        chrome.audience = .staff
        return Layout.authPage(chrome, labelledBy: "auth-title", """
        <h1 id="auth-title" class="auth__title">MSP administrator sign-in</h1>
        <p class="auth__lead">For MSP staff. Customers sign in at <a href="/login">the Client Portal</a>.</p>
        \(status.map { Form.alert(Message(.success, $0)) } ?? .empty)
        \(error.map { Form.alert(Message(.error, $0)) } ?? .empty)
        \(form)
        """)
    }

    /// The staff member's own security: the authenticator app asked for at sign-in.
    public static func security(enabled: Bool, staff: Staff, passkeys: PasskeysSection, message: Message? = nil) -> HTML {
        let action: HTML = enabled ? """
            <a class="button button--danger-quiet" href="/admin/security/totp/disable">Turn off…</a>
            """ : """
            <form method="post" action="/admin/security/totp/enable">
              \(Form.csrf(staff.csrfToken))
              <button type="submit" class="button button--primary">Enable</button>
            </form>
            """
        return page("Your security", staff: staff, section: .security, message: message, content: """
        <section class="card" aria-labelledby="authenticator-title">
          <div class="card__head">
            <h2 id="authenticator-title" class="card__title">Authenticator App</h2>
            \(enabled ? "<span class=\"badge badge--on\">Enabled</span>" as HTML : "<span class=\"badge badge--off\">Disabled</span>")
          </div>
          <p>With it on, signing in to the administrator pages asks for a 6-digit code after your password.</p>
          \(action)
        </section>
        \(PasskeyView.section(passkeys, csrf: staff.csrfToken))
        """)
    }

    // MARK: Clients

    public struct ClientRow: Sendable {
        public var id: Int64, name: String, users: Int, portal: Bool, ssoOnly: Bool, requireMFA: Bool, billing: Bool
        /// "Verify callers before account resets" (the client page's switch).
        public var verifyCallers = false
        /// "Customers approve administrator views".
        public var viewConsent = false
        public init(id: Int64, name: String, users: Int, portal: Bool, ssoOnly: Bool, requireMFA: Bool, billing: Bool) {
            self.id = id; self.name = name; self.users = users; self.portal = portal
            self.ssoOnly = ssoOnly; self.requireMFA = requireMFA; self.billing = billing
        }
    }

    public static func clients(_ rows: [ClientRow], search: String, staff: Staff) -> HTML {
        let table: HTML = rows.isEmpty
            ? "<p>No client matches “\(search)”.</p>"
            : table(label: "Clients", caption: "Clients", headers: ["Client", "Users", "Portal", "Sign-in"], rows: rows.map { row in [
                Cell("<a href=\"/admin/clients/\(String(row.id))\">\(row.name)</a>"),
                Cell("\(String(row.users))"),
                Cell(row.portal ? badge("Enabled", .on) : badge("Disabled", .off)),
                Cell(row.ssoOnly ? "SSO only" : row.requireMFA ? "Password + MFA required" : "Password"),
              ] })
        return page("Clients", staff: staff, section: .clients, content: """
        <section class="card" aria-labelledby="clients-title">
          <h2 id="clients-title" class="card__title">Clients</h2>
          <form method="get" action="/admin" class="search" role="search">
            \(Form.field(id: "q", name: "q", label: "Search clients", type: "search", value: search, maxLength: 100))
            <button type="submit" class="button button--secondary">Search</button>
          </form>
          \(table)
        </section>
        """)
    }

    public struct UserRow: Sendable {
        public var id: Int64, name: String, email: String, state: String, twoFactor: Bool, passkeys: Int, lastSignIn: String?
        /// How the state's badge looks.
        public var stateTone: Tone = .neutral
        /// Why "View as customer" would be refused (the service's rule); nil: the page offers it.
        public var viewRefusal: String?
        /// "Verify the caller" as the signed-in staff member stands with this user.
        public var caller = CallerCheck(stage: .none, required: false, canMail: false)
        public init(id: Int64, name: String, email: String, state: String, twoFactor: Bool, passkeys: Int, lastSignIn: String?) {
            self.id = id; self.name = name; self.email = email; self.state = state
            self.twoFactor = twoFactor; self.passkeys = passkeys; self.lastSignIn = lastSignIn
        }
    }

    /// "Verify the caller" on a user's page, for the staff member signed in: no code, a code waiting for
    /// the caller to read it back, or verified (the resets enabled until a time).
    public struct CallerCheck: Sendable {
        public enum Stage: Sendable, Equatable {
            case none
            case codeSent(sentAt: String, until: String, triesLeft: Int)
            case verified(until: String)
        }
        public var stage: Stage
        /// The client requires a verified caller for the resets.
        public var required: Bool
        /// The console sends mail; without it no code is offered (it would wait in the outbox).
        public var canMail: Bool
        public var noMailReason = ""
        public var codeError: String?

        public init(stage: Stage, required: Bool, canMail: Bool) {
            self.stage = stage
            self.required = required
            self.canMail = canMail
        }

        /// The resets are held back until the caller is verified (or skipped with a reason).
        public var gated: Bool {
            guard required else { return false }
            if case .verified = stage { return false }
            return true
        }
    }

    /// A reset's button shown disabled while the caller is not verified, with the reason and the way to
    /// break-glass (the action's confirmation page, which asks for a reason).
    static func gatedButton(_ label: String, id: String, skip: String, danger: Bool = false) -> HTML {
        """
        <div class="owner-only">
          <button type="button" class="button \(danger ? "button--danger-quiet" : "button--secondary")" disabled aria-describedby="\(id)">\(label)</button>
          <p class="owner-only__note" id="\(id)">Verify the caller first. <a href="\(skip)">Skip verification…</a></p>
        </div>
        """
    }

    static func callerCard(_ user: UserRow, base: String, staff: Staff) -> HTML {
        let caller = user.caller
        let badge: HTML
        let body: HTML
        switch caller.stage {
        case .verified(let until):
            badge = Self.badge("Verified", .on)
            body = "<p>The caller is verified. Unlock, Reset two-factor authentication and Send the invitation again are enabled for you until \(until).</p>"
        case .codeSent(let sentAt, let until, let triesLeft):
            badge = Self.badge("Code sent", .neutral)
            body = """
            <p>A code was mailed to \(user.email) at \(sentAt). Ask the caller to read it out; it works until \(until) (\(String(triesLeft)) \(triesLeft == 1 ? "try" : "tries") left).</p>
            <form method="post" action="\(base)/verify-caller/check" novalidate autocomplete="off">
              \(Form.csrf(staff.csrfToken))
              \(Form.field(id: "caller_code", name: "code", label: "Code the caller reads out", error: caller.codeError, required: true,
                           autocomplete: "off", maxLength: 7, extra: " inputmode=\"numeric\""))
              <button type="submit" class="button button--primary">Check code</button>
            </form>
            <form method="post" action="\(base)/verify-caller" class="card__note">
              \(Form.csrf(staff.csrfToken))
              <button type="submit" class="button button--quiet button--small">Send a new code</button>
            </form>
            """
        case .none:
            badge = caller.required ? Self.badge("Required", .warning) : Self.badge("Optional", .off)
            body = caller.canMail ? """
                \(caller.codeError.map { "<p class=\"field__error\">\($0)</p>" as HTML } ?? .empty)
                <form method="post" action="\(base)/verify-caller">
                  \(Form.csrf(staff.csrfToken))
                  <button type="submit" class="button button--primary">Verify the caller</button>
                </form>
                """ : """
                <div class="owner-only">
                  <button type="button" class="button button--primary" disabled aria-describedby="verify-no-mail">Verify the caller</button>
                  <p class="owner-only__note" id="verify-no-mail">\(caller.noMailReason)</p>
                </div>
                """
        }
        return """
        <section class="card" id="verify-caller" aria-labelledby="verify-title">
          <div class="card__head">
            <h2 id="verify-title" class="card__title">Verify the caller</h2>
            \(badge)
          </div>
          <p>Before Unlock, Reset two-factor authentication or Send the invitation again, make sure the caller is \(user.name): a one-time 6-digit code goes to \(user.email), and the caller reads it back to you. You never see the code.</p>
          <p class="muted">\(caller.required
            ? "This client requires it for those actions. Without it they can only be done with a reason, and \(user.name) is mailed at once."
            : "Optional for this client: the actions work without it, and a verification is still recorded.")</p>
          \(body)
        </section>
        """
    }

    /// "Add user" as typed, with the error beside each field.
    public struct AddUserForm: Sendable {
        public var name = "", email = "", phone = ""
        public var nameError: String?, emailError: String?, phoneError: String?
        public var linkEmail = "", linkError: String?
        public init() {}
    }

    /// A client's single sign-on, as the client page shows it: what is set (never the secret, only that
    /// it is), and the form with what was typed when a save was refused.
    public struct SingleSignOnSection: Sendable {
        public struct Configured: Sendable {
            public var issuer: String, clientID: String, displayName: String, domains: [String], tenantID: String?
            public var trustEmail: Bool, trustProviderMFA: Bool, createUsers: Bool
            public init(issuer: String, clientID: String, displayName: String, domains: [String], tenantID: String?, trustEmail: Bool,
                        trustProviderMFA: Bool, createUsers: Bool) {
                self.issuer = issuer
                self.clientID = clientID
                self.displayName = displayName
                self.domains = domains
                self.tenantID = tenantID
                self.trustEmail = trustEmail
                self.trustProviderMFA = trustProviderMFA
                self.createUsers = createUsers
            }
        }
        public var configured: Configured?
        public var redirectURI: String
        public var issuer = "", clientID = "", domains = "", tenantID = "", displayName = ""
        public var trustEmail = false, trustProviderMFA = false, createUsers = false
        /// The refused field's name (`issuer`, `client_id`, `client_secret`, `domains`, `tenant_id`, `display_name`) and why.
        public var errorField: String?, error: String?

        public init(configured: Configured?, redirectURI: String) {
            self.configured = configured
            self.redirectURI = redirectURI
            if let configured {
                issuer = configured.issuer
                clientID = configured.clientID
                domains = configured.domains.joined(separator: ", ")
                tenantID = configured.tenantID ?? ""
                displayName = configured.displayName
                trustEmail = configured.trustEmail
                trustProviderMFA = configured.trustProviderMFA
                createUsers = configured.createUsers
            }
        }

        func error(for field: String) -> String? { errorField == field ? error : nil }
    }

    static func singleSignOnCard(_ sso: SingleSignOnSection, clientID: Int64, csrfToken: String) -> HTML {
        let action = "/admin/clients/\(clientID)/sso"
        func word(_ on: Bool) -> String { on ? "On" : "Off" }
        let facts: HTML = sso.configured.map { configured in """
            <dl class="facts">
              <div><dt>Provider</dt><dd>\(configured.displayName)</dd></div>
              <div><dt>Issuer</dt><dd><code>\(configured.issuer)</code></dd></div>
              <div><dt>Client ID</dt><dd><code>\(configured.clientID)</code></dd></div>
              <div><dt>Client secret</dt><dd>Set</dd></div>
              <div><dt>Email domains</dt><dd>\(configured.domains.joined(separator: ", "))</dd></div>
              \(configured.tenantID.map { tenant in "<div><dt>Tenant ID</dt><dd><code>\(tenant)</code></dd></div>" as HTML } ?? .empty)
              <div><dt>Trust email</dt><dd>\(word(configured.trustEmail))</dd></div>
              <div><dt>Trust provider MFA</dt><dd>\(word(configured.trustProviderMFA))</dd></div>
              <div><dt>Create users on sign-in</dt><dd>\(word(configured.createUsers))</dd></div>
            </dl>
            <p><a class="button button--danger-quiet" href="\(action)/remove">Turn off single sign-on</a></p>
            """ } ?? "<p>Not set up: the client's users sign in with a password.</p>"
        return """
        <section class="card" aria-labelledby="sso-title">
          <h2 id="sso-title" class="card__title">Single sign-on</h2>
          \(facts)
          <h3>\(sso.configured == nil ? "Set up single sign-on" : "Change single sign-on")</h3>
          <p>Register the console at the provider as a web application with the redirect URI <code>\(sso.redirectURI)</code>
            and the scopes <code>openid email profile</code>. Saving fetches the issuer's discovery document first.</p>
          <form method="post" action="\(action)" novalidate>
            \(Form.csrf(csrfToken))
            \(Form.field(id: "sso_issuer", name: "issuer", label: "Issuer URL", type: "url", value: sso.issuer, error: sso.error(for: "issuer"),
                         hint: "For example https://login.microsoftonline.com/TENANT-ID/v2.0, https://accounts.google.com or https://COMPANY.okta.com.",
                         required: true, autocomplete: "off", maxLength: 500))
            \(Form.field(id: "sso_client_id", name: "client_id", label: "Client ID", value: sso.clientID, error: sso.error(for: "client_id"),
                         required: true, autocomplete: "off", maxLength: 255))
            \(Form.field(id: "sso_client_secret", name: "client_secret", label: "Client secret", type: "password",
                         error: sso.error(for: "client_secret"),
                         hint: sso.configured == nil ? "Stored encrypted; never shown again." : "Leave empty to keep the stored secret.",
                         required: sso.configured == nil, autocomplete: "new-password", maxLength: 4096))
            \(Form.field(id: "sso_domains", name: "domains", label: "Email domains", value: sso.domains, error: sso.error(for: "domains"),
                         hint: "The client's domains, separated by commas or spaces. A domain belongs to one client only.",
                         required: true, autocomplete: "off", maxLength: 2000))
            \(Form.field(id: "sso_tenant_id", name: "tenant_id", label: "Tenant ID (Microsoft Entra ID)", value: sso.tenantID,
                         error: sso.error(for: "tenant_id"), autocomplete: "off", maxLength: 64))
            \(Form.field(id: "sso_display_name", name: "display_name", label: "Display name", value: sso.displayName,
                         error: sso.error(for: "display_name"), hint: "Shown as “Continue with …”. Empty: taken from the issuer.",
                         autocomplete: "off", maxLength: 80))
            <fieldset class="fieldset">
              <legend>Rules</legend>
              \(Form.checkbox(id: "sso_trust_email", name: "trust_email", label: "Trust email", checked: sso.trustEmail,
                              hint: "Link a first sign-in by its email even when the provider does not mark the address verified."))
              \(Form.checkbox(id: "sso_trust_idp_mfa", name: "trust_idp_mfa", label: "Trust provider MFA", checked: sso.trustProviderMFA,
                              hint: "When the client requires MFA, a provider sign-in that shows multi-factor authentication counts."))
              \(Form.checkbox(id: "sso_create_users", name: "create_users", label: "Create users on first sign-in", checked: sso.createUsers,
                              hint: "Off: only invited or existing users can sign in."))
            </fieldset>
            <button type="submit" class="button button--primary">Save single sign-on</button>
          </form>
        </section>
        """
    }

    public static func client(_ client: ClientRow, users: [UserRow], staff: Staff, message: Message?,
                              form: AddUserForm = AddUserForm(), singleSignOn: SingleSignOnSection) -> HTML {
        page(client.name, staff: staff, section: .clients, message: message, content: """
        <section class="card" aria-labelledby="settings-title">
          <h2 id="settings-title" class="card__title">\(client.name): portal settings</h2>
          <form method="post" action="/admin/clients/\(String(client.id))/settings">
            \(Form.csrf(staff.csrfToken))
            <fieldset class="fieldset">
              <legend class="visually-hidden">Portal settings</legend>
              \(Form.checkbox(id: "portal_enabled", name: "portal_enabled", label: "Portal enabled", checked: client.portal,
                              hint: "Off: the client's users see “Portal not available”."))
              \(Form.checkbox(id: "sso_only", name: "sso_only", label: "SSO-only", checked: client.ssoOnly,
                              hint: "Users sign in through their organization; no passwords."))
              \(Form.checkbox(id: "require_mfa", name: "require_mfa", label: "MFA required", checked: client.requireMFA,
                              hint: "Users without a second factor must set one up after signing in."))
              \(Form.checkbox(id: "billing_enabled", name: "billing_enabled", label: "Billing enabled", checked: client.billing,
                              hint: "Shows the overdue invoice reminder preference."))
              \(Form.checkbox(id: "verify_callers", name: "verify_callers", label: "Verify callers before account resets",
                              checked: client.verifyCallers,
                              hint: "Unlock, Reset two-factor authentication and Send the invitation again need a caller verified by a code mailed to the user, or a reason the user is mailed at once."))
              \(Form.checkbox(id: "view_consent", name: "view_consent", label: "Customers approve administrator views",
                              checked: client.viewConsent,
                              hint: "“View as customer” asks the customer first (on their Security tab and by mail); the view opens once they allow it, or at once while they let their IT provider in ahead of time."))
            </fieldset>
            <button type="submit" class="button button--primary">Save settings</button>
          </form>
        </section>
        \(singleSignOnCard(singleSignOn, clientID: client.id, csrfToken: staff.csrfToken))
        <section class="card" aria-labelledby="users-title">
          <h2 id="users-title" class="card__title">Customer users</h2>
          \(users.isEmpty ? "<p>No users yet.</p>" as HTML : table(
            label: "Customer users", caption: "Customer users of \(client.name)",
            headers: ["User", "Status", "2FA", "Passkeys", "Last sign-in"], rows: users.map { user in [
              Cell("<a href=\"/admin/users/\(String(user.id))\">\(user.name)</a><span class=\"table__sub\">\(user.email)</span>"),
              Cell(badge(user.state, user.stateTone)),
              Cell(user.twoFactor ? badge("On", .on) : badge("Off", .off)),
              Cell("\(String(user.passkeys))"),
              Cell("\(user.lastSignIn ?? "Never")", "table__when"),
            ] }))
        </section>
        <section class="card" aria-labelledby="add-title">
          <h2 id="add-title" class="card__title">Add user</h2>
          <p>The new user gets an invitation mail with a link to choose a password (valid 7 days). Users of an SSO-only client sign in through their organization instead.</p>
          <form method="post" action="/admin/clients/\(String(client.id))/users" novalidate>
            \(Form.csrf(staff.csrfToken))
            \(Form.field(id: "new_name", name: "name", label: "Name", value: form.name, error: form.nameError, required: true,
                         autocomplete: "off", maxLength: 100))
            \(Form.field(id: "new_email", name: "email", label: "Email", type: "email", value: form.email, error: form.emailError,
                         required: true, autocomplete: "off", maxLength: 254))
            \(Form.field(id: "new_phone", name: "phone", label: "Phone", type: "tel", value: form.phone, error: form.phoneError,
                         autocomplete: "off", maxLength: 32))
            <button type="submit" class="button button--primary">Add and invite</button>
          </form>
        </section>
        <section class="card" aria-labelledby="link-title">
          <h2 id="link-title" class="card__title">Link an existing sign-in</h2>
          <p>For someone who signs in but sees “Client Portal Access Required”: their sign-in email exists but no client has it.</p>
          <form method="post" action="/admin/clients/\(String(client.id))/link" novalidate>
            \(Form.csrf(staff.csrfToken))
            \(Form.field(id: "link_email", name: "email", label: "Sign-in email", type: "email", value: form.linkEmail,
                         error: form.linkError, required: true, autocomplete: "off", maxLength: 254))
            <button type="submit" class="button button--secondary">Link to \(client.name)</button>
          </form>
        </section>
        """)
    }

    /// What the user's "View as customer" card offers this staff member (the service's `viewAccess`).
    public enum ViewCard: Sendable {
        /// The account cannot be viewed, and why.
        case refused(String)
        /// The form opens the view at once; `consentRequired` with `grantedUntil`: under the customer's grant.
        case form(consentRequired: Bool, grantedUntil: String?, lastAnswer: String?)
        /// The client's customers approve views: the form sends a request.
        case askFirst(lastAnswer: String?)
        /// This staff member's request waits for the customer.
        case waiting(askedAt: String, reason: String, expires: String)
        /// The customer allowed it: "Open the view", once, before `openBy`.
        case allowed(requestID: Int64, allowedAt: String, openBy: String, reason: String)
    }

    static func viewForm(_ base: String, staff: Staff, reasonError: String?, button: String) -> HTML {
        """
        <form method="post" action="\(base)/impersonate" novalidate>
          \(Form.csrf(staff.csrfToken))
          \(Form.field(id: "reason", name: "reason", label: "Reason", error: reasonError,
                       hint: "For example the ticket number and what the customer asked for.", required: true, maxLength: 500))
          <button type="submit" class="button button--primary">\(button)</button>
        </form>
        """
    }

    public static func user(_ user: UserRow, clientID: Int64?, clientName: String?, staff: Staff, view card: ViewCard? = nil,
                            reasonError: String?, message: Message?) -> HTML {
        let base = "/admin/users/\(String(user.id))"
        let lead: HTML = "<p>Opens the Client Portal as this customer in this browser for at most 30 minutes. The customer sees that you viewed the account, and every change is recorded with your name.</p>"
        let view: HTML
        switch card ?? (user.viewRefusal.map { ViewCard.refused($0) } ?? .form(consentRequired: false, grantedUntil: nil, lastAnswer: nil)) {
        case .refused(let why):
            view = "<p>Not available for this user: \(why)</p>"
        case .form(_, let grantedUntil, _):
            view = """
            \(lead)
            \(grantedUntil.map { until in "<p class=\"view-consent__note\">\(user.name) lets the IT provider view the account until \(until): the view opens at once.</p>" as HTML } ?? .empty)
            \(viewForm(base, staff: staff, reasonError: reasonError, button: "View as customer"))
            """
        case .askFirst(let lastAnswer):
            view = """
            <p>\(clientName ?? "This client")'s customers approve administrator views: “View as customer” sends \(user.name) your request with its reason, on their Security tab and by mail. The view opens once they allow it, for 30 minutes.</p>
            \(lastAnswer.map { "<p class=\"view-consent__note\">\($0)</p>" as HTML } ?? .empty)
            \(viewForm(base, staff: staff, reasonError: reasonError, button: "View as customer"))
            """
        case .waiting(let askedAt, let reason, let expires):
            view = """
            <div class="view-consent view-consent--waiting" role="status">
              <p><strong>Waiting for \(user.name) to allow your request.</strong></p>
              <p>Asked \(askedAt) · Reason: “\(reason)”</p>
              <p class="muted">The request expires \(expires) if it is not answered. Reload this page to see the answer.</p>
            </div>
            <p><a class="button button--secondary" href="\(base)">Check again</a></p>
            """
        case .allowed(let requestID, let allowedAt, let openBy, let reason):
            view = """
            <div class="view-consent view-consent--allowed" role="status">
              <p><strong>\(user.name) allowed your request</strong> (\(allowedAt)). Open the view before \(openBy); it lasts 30 minutes and opens once.</p>
              <p>Reason: “\(reason)”</p>
            </div>
            <form method="post" action="\(base)/open-view">
              \(Form.csrf(staff.csrfToken))
              <input type="hidden" name="request" value="\(String(requestID))">
              <button type="submit" class="button button--primary">Open the view</button>
            </form>
            """
        }
        let gated = user.caller.gated
        var actions: [HTML] = []
        if user.state == "Invited" {
            actions.append(gated ? gatedButton("Send the invitation again", id: "resend-gated", skip: "\(base)/resend-invitation")
                                 : action(user.id, "resend-invitation", "Send the invitation again", staff: staff))
        }
        if user.state.hasPrefix("Locked") {
            actions.append(gated ? gatedButton("Unlock", id: "unlock-gated", skip: "\(base)/unlock") : action(user.id, "unlock", "Unlock", staff: staff))
        }
        if user.state == "Disabled" { actions.append(action(user.id, "enable", "Enable", staff: staff)) }
        var destructive: [HTML] = []
        if user.state != "Disabled" {
            destructive.append("<a class=\"button button--danger-quiet\" href=\"\(base)/disable\">Disable</a>")
            destructive.append("<a class=\"button button--danger-quiet\" href=\"\(base)/sign-out\">Sign out everywhere</a>")
        }
        if user.twoFactor {
            destructive.append(gated ? gatedButton("Reset two-factor authentication", id: "reset-2fa-gated", skip: "\(base)/reset-2fa", danger: true)
                                     : "<a class=\"button button--danger-quiet\" href=\"\(base)/reset-2fa\">Reset two-factor authentication</a>")
        }
                return page(user.name, staff: staff, section: .clients, message: message, content: """
        <section class="card" aria-labelledby="user-title">
          <div class="card__head">
            <h2 id="user-title" class="card__title">\(user.name)</h2>
            \(badge(user.state, user.stateTone))
          </div>
          <dl class="facts">
            <div><dt>Email</dt><dd>\(user.email)</dd></div>
            <div><dt>Client</dt><dd>\(clientID.map { id in "<a href=\"/admin/clients/\(String(id))\">\(clientName ?? "")</a>" as HTML } ?? "Not linked to a client")</dd></div>
            <div><dt>Two-factor</dt><dd>\(user.twoFactor ? badge("Authenticator app on", .on) : badge("Off", .off))</dd></div>
            <div><dt>Passkeys</dt><dd>\(String(user.passkeys))</dd></div>
            <div><dt>Last sign-in</dt><dd>\(user.lastSignIn ?? "Never")</dd></div>
          </dl>
          <p><a href="/admin/audit?user=\(queryValue(user.email))">This user's activity in the audit log</a></p>
          \(actions.isEmpty ? .empty : "<div class=\"actions actions--wrap\">\(HTML.join(actions))</div>")
          \(destructive.isEmpty ? .empty : """
            <h3 class="danger-zone__title">Destructive actions</h3>
            <p class="muted">Each asks you to confirm on the next page.</p>
            <div class="actions actions--wrap">\(HTML.join(destructive))</div>
            """)
        </section>
        \(callerCard(user, base: base, staff: staff))
        <section class="card" aria-labelledby="view-title">
          <h2 id="view-title" class="card__title">View as customer</h2>
          \(view)
        </section>
        """)
    }

    static func action(_ id: Int64, _ path: String, _ label: String, staff: Staff) -> HTML {
        """
        <form method="post" action="/admin/users/\(String(id))/\(path)">
          \(Form.csrf(staff.csrfToken))
          <button type="submit" class="button button--secondary">\(label)</button>
        </form>
        """
    }

    // MARK: Confirming a destructive action

    /// The page between a destructive action's button and the action: it names whom the action concerns
    /// and what will happen, with the action's red button (a POST with the CSRF token) and Cancel.
    /// Nothing changes until that button is pressed; opening or leaving this page changes nothing.
    public struct Confirmation: Sendable {
        public struct Fact: Sendable {
            public var term: String, value: String
            public init(_ term: String, _ value: String) { self.term = term; self.value = value }
        }
        public var title: String
        public var facts: [Fact]
        public var consequences: [String]
        /// Where the confirming POST goes.
        public var action: String
        public var button: String
        /// Where Cancel leads (the page the action was offered on).
        public var cancel: String
        public var section: Section = .clients
        /// For a reset a client may hold behind a verified caller: whether it is held now, and the
        /// break-glass form (a reason, required) that replaces the plain button then.
        public var gate: ResetGate?

        public init(title: String, facts: [Fact], consequences: [String], action: String, button: String, cancel: String) {
            self.title = title
            self.facts = facts
            self.consequences = consequences
            self.action = action
            self.button = button
            self.cancel = cancel
        }
    }

    /// A reset's standing with caller verification, on its confirmation page.
    public struct ResetGate: Sendable {
        /// No live verification and the client requires one: only break-glass is offered.
        public var blocked: Bool
        /// The caller was verified by this staff member: until when the reset is enabled.
        public var verifiedUntil: String?
        /// Break-glass's button ("Reset two-factor authentication without verification").
        public var skipButton: String
        /// Whom the break-glass mail goes to, named on the page.
        public var userName: String
        public var userPage: String
        public var reason = ""
        public var reasonError: String?

        public init(blocked: Bool, verifiedUntil: String?, skipButton: String, userName: String, userPage: String) {
            self.blocked = blocked
            self.verifiedUntil = verifiedUntil
            self.skipButton = skipButton
            self.userName = userName
            self.userPage = userPage
        }
    }

    /// The confirmation of a held reset: what it does, "Verify the caller first", and the break-glass form.
    static func breakGlass(_ confirmation: Confirmation, _ gate: ResetGate, staff: Staff) -> HTML {
        """
        <section class="card confirm" aria-labelledby="confirm-title">
          <h2 id="confirm-title" class="card__title">\(confirmation.title)</h2>
          <dl class="facts">
            \(HTML.each(confirmation.facts) { fact in "<div><dt>\(fact.term)</dt><dd>\(fact.value)</dd></div>" })
          </dl>
          <ul class="confirm__consequences">
            \(HTML.each(confirmation.consequences) { line in "<li>\(line)</li>" })
          </ul>
          <p><strong>Verify the caller first.</strong> This client requires a verified caller for this action: <a href="\(gate.userPage)#verify-caller">verify the caller</a> on the user's page, and the action is enabled for you for 10 minutes.</p>
          <h3>Skip verification</h3>
          <p>Only when the caller cannot be verified (no access to their email). \(gate.userName) is mailed at once with your name and this reason, and the audit log marks it.</p>
          <form method="post" action="\(confirmation.action)" novalidate>
            \(Form.csrf(staff.csrfToken))
            \(Form.field(id: "reason", name: "reason", label: "Skip verification — reason", value: gate.reason, error: gate.reasonError,
                         hint: "For example the ticket number and why the caller cannot be verified.", required: true, maxLength: 500))
            <div class="actions">
              <button type="submit" class="button button--danger">\(gate.skipButton)</button>
              <a class="button button--quiet" href="\(confirmation.cancel)">Cancel</a>
            </div>
          </form>
        </section>
        """
    }

    /// "Turn off the authenticator app?" for the staff member's own sign-in, behind their password.
    public static func confirmAuthenticatorOff(staff: Staff, passwordError: String?) -> HTML {
        var card = ConfirmationPage(
            chrome: chrome("Turn off the authenticator app", staff: staff), question: "Turn off the authenticator app?",
            details: "<p>Signing in to the administrator pages will no longer ask for a code from your app (a security key you added still works).</p>",
            action: "/admin/security/totp/disable", confirmLabel: "Turn off authenticator app", cancel: "/admin/security")
        card.passwordRequired = true
        card.passwordError = passwordError
        return page("Turn off the authenticator app", staff: staff, section: .security, content: ConfirmationView.card(card, csrf: staff.csrfToken))
    }

    public static func confirm(_ confirmation: Confirmation, staff: Staff) -> HTML {
        if let gate = confirmation.gate, gate.blocked {
            return page(confirmation.title, staff: staff, section: confirmation.section, content: breakGlass(confirmation, gate, staff: staff))
        }
        var consequences = confirmation.consequences
        if let until = confirmation.gate?.verifiedUntil {
            consequences.append("You verified the caller: this is enabled for you until \(until).")
        }
        let card = ConfirmationPage(
            chrome: chrome(confirmation.title, staff: staff), question: confirmation.title,
            details: """
            <dl class="facts">
              \(HTML.each(confirmation.facts) { fact in "<div><dt>\(fact.term)</dt><dd>\(fact.value)</dd></div>" })
            </dl>
            <ul class="confirm__consequences">
              \(HTML.each(consequences) { line in "<li>\(line)</li>" })
            </ul>
            """,
            action: confirmation.action, confirmLabel: confirmation.button, cancel: confirmation.cancel)
        return page(confirmation.title, staff: staff, section: confirmation.section,
                    content: ConfirmationView.card(card, csrf: staff.csrfToken))
    }

    // MARK: Audit log and outbox

    public struct AuditRow: Sendable {
        /// `kind` is the stored kind (shown small beneath the name, and what the filter takes); `kindName`
        /// its readable name.
        public var when: String, kind: String, kindName: String, client: String, user: String, userEmail: String, staff: String,
                   ip: String, detail: String
        public init(when: String, kind: String, kindName: String, client: String, user: String, userEmail: String, staff: String,
                    ip: String, detail: String) {
            self.when = when; self.kind = kind; self.kindName = kindName; self.client = client; self.user = user
            self.userEmail = userEmail; self.staff = staff; self.ip = ip; self.detail = detail
        }
    }

    /// One choice of a filter's list: the value sent, the words shown.
    public struct Option: Sendable {
        public var value: String, label: String
        public init(value: String, label: String) { self.value = value; self.label = label }
    }

    /// The audit log's filters as chosen: a client from the list, a customer user by name or email, an
    /// event from the list; the page, and whether an older one follows.
    public struct AuditQuery: Sendable {
        public var client: String, clients: [Option], user: String, kind: String, kinds: [Option], page: Int, more: Bool
        public init(client: String, clients: [Option], user: String, kind: String, kinds: [Option], page: Int, more: Bool) {
            self.client = client; self.clients = clients; self.user = user; self.kind = kind; self.kinds = kinds
            self.page = page; self.more = more
        }

        func link(page: Int) -> String {
            let parts = [("client", client), ("user", user), ("kind", kind)].filter { !$0.1.isEmpty }
                .map { "\($0.0)=\(AdminView.queryValue($0.1))" } + ["page=\(page)"]
            return "/admin/audit?" + parts.joined(separator: "&")
        }

        var filtered: Bool { !client.isEmpty || !user.isEmpty || !kind.isEmpty }
    }

    public static func audit(_ rows: [AuditRow], query: AuditQuery, staff: Staff) -> HTML {
        let events = table(
            label: "Audit events", caption: "Audit events, newest first",
            headers: ["When", "Event", "Client", "User", "Staff", "Address", "Detail"], rows: rows.map { row in [
                Cell("\(row.when)", "table__when"),
                Cell("<span class=\"event__name\">\(row.kindName)</span><code class=\"event__kind\">\(row.kind)</code>"),
                Cell("\(row.client)"),
                Cell(row.user.isEmpty && row.userEmail.isEmpty ? .empty : """
                    \(row.user)\(HTML.when(!row.userEmail.isEmpty, "<span class=\"table__sub\">\(row.userEmail)</span>"))
                    """),
                Cell("\(row.staff)"),
                Cell("\(row.ip)", "table__address"),
                Cell("\(row.detail)", "table__detail"),
            ] })
        return page("Audit log", staff: staff, section: .audit, content: """
        <section class="card" aria-labelledby="audit-title">
          <h2 id="audit-title" class="card__title">Audit log</h2>
          <form method="get" action="/admin/audit" class="filters" role="search" aria-label="Filter the audit log">
            <div class="field">
              <label class="field__label" for="client">Client</label>
              <select class="field__input" id="client" name="client">
                <option value="">All clients</option>
                \(HTML.each(query.clients) { option in
                    "<option value=\"\(option.value)\"\(HTML.when(option.value == query.client, " selected"))>\(option.label)</option>" })
              </select>
            </div>
            \(Form.field(id: "user", name: "user", label: "User (name or email)", type: "search", value: query.user,
                         autocomplete: "off", maxLength: 254))
            <div class="field">
              <label class="field__label" for="kind">Event</label>
              <select class="field__input" id="kind" name="kind">
                <option value="">All events</option>
                \(HTML.each(query.kinds) { option in
                    "<option value=\"\(option.value)\"\(HTML.when(option.value == query.kind, " selected"))>\(option.label)</option>" })
              </select>
            </div>
            <div class="filters__actions">
              <button type="submit" class="button button--secondary">Filter</button>
              \(HTML.when(query.filtered, "<a class=\"button button--quiet\" href=\"/admin/audit\">Show all</a>"))
            </div>
          </form>
          \(rows.isEmpty ? "<p>No events match.</p>" as HTML : events)
          <nav class="pager" aria-label="Pages">
            \(HTML.when(query.page > 1, "<a href=\"\(query.link(page: query.page - 1))\">Newer</a>"))
            <span>Page \(String(query.page))</span>
            \(HTML.when(query.more, "<a href=\"\(query.link(page: query.page + 1))\">Older</a>"))
          </nav>
        </section>
        """)
    }

    public struct OutboxRow: Sendable {
        public var id: Int64, when: String, status: String, recipient: String, subject: String, body: String, error: String?
        /// A held message whose link still works: the page offers "Show link".
        public var canShowLink = false
        public init(id: Int64, when: String, status: String, recipient: String, subject: String, body: String, error: String?) {
            self.id = id; self.when = when; self.status = status; self.recipient = recipient; self.subject = subject
            self.body = body; self.error = error
        }
    }

    /// The outbox: every body with its secret link replaced by a note; "Show link" on a held message
    /// whose link still works.
    public static func outbox(_ rows: [OutboxRow], staff: Staff, message: Message? = nil, smtp: Bool) -> HTML {
        let lead: HTML = smtp
            ? "<p>Every message the console recorded. The SMTP server (<code>serve --smtp</code>) delivers them; their reset and invitation links are never shown here.</p>"
            : "<p>Every message the console recorded. Without an SMTP server (<code>serve --smtp</code>) messages are held here for you to pass on: “Show link” shows a message's reset or invitation link on its own page, records that with your name, and tells the customer in their Recent activity. A link is never shown once its message is sent.</p>"
        return page("Outbox", staff: staff, section: .outbox, message: message, content: """
        <section class="card" aria-labelledby="outbox-title">
          <h2 id="outbox-title" class="card__title">Outbox</h2>
          \(lead)
          \(rows.isEmpty ? "<p>No mail yet.</p>" as HTML : HTML.each(rows) { row in """
            <article class="mail">
              <h3 class="mail__subject">\(row.subject)</h3>
              <p class="muted">\(row.when) · to \(row.recipient) · \(row.status)\(row.error.map { " · last error: \($0)" } ?? "")</p>
              <pre class="mail__body">\(row.body)</pre>
              \(HTML.when(row.canShowLink, """
                <form method="post" action="/admin/outbox/\(String(row.id))/show-link">
                  \(Form.csrf(staff.csrfToken))
                  <button type="submit" class="button button--secondary">Show link</button>
                </form>
                """))
            </article>
            """ })
        </section>
        """)
    }

    /// The answer to "Show link": the held message with its link. Not kept anywhere: going back to the
    /// outbox hides it again, and showing it again is recorded again.
    public static func outboxLink(_ row: OutboxRow, staff: Staff) -> HTML {
        page("Outbox message", staff: staff, section: .outbox, content: """
        <section class="card" aria-labelledby="outbox-title">
          <h2 id="outbox-title" class="card__title">\(row.subject)</h2>
          <p>You opened this link: the audit log records it with your name, and \(row.recipient) sees it in their Recent activity, as they will see a password set with it. Pass it on only to its recipient. This page is not kept; the outbox hides the link again.</p>
          <article class="mail">
            <p class="muted">\(row.when) · to \(row.recipient) · \(row.status)</p>
            <pre class="mail__body">\(row.body)</pre>
          </article>
          <p><a href="/admin/outbox">Back to the outbox</a></p>
        </section>
        """)
    }

    /// The notice on every portal page while an administrator views the account: it stays at the top of
    /// the window, with who is viewing, why, and how long the view has left.
    public static func impersonationBanner(_ notice: ImpersonationNotice, csrfToken: String) -> HTML {
        let minutes = max(1, (notice.secondsLeft + 59) / 60)
        return """
        <div class="impersonation" role="region" aria-label="Administrator view">
          <div class="impersonation__body">
            <p class="impersonation__text"><strong>An administrator (\(notice.staffName)) is viewing this account.</strong> Any changes made will affect the real account.</p>
            <p class="impersonation__meta">\(HTML.when(!notice.reason.isEmpty, "Reason: “\(notice.reason)” · "))<span data-view-left="\(notice.secondsLeft)">\(minutes) of 30 minutes left</span></p>
          </div>
          <form method="post" action="/portal/impersonation/end">
            \(Form.csrf(csrfToken))
            <button type="submit" class="button button--on-notice button--small">End session</button>
          </form>
        </div>
        """
    }
}
