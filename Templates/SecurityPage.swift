/// The Security tab.
public struct SecurityPage: Sendable {
    /// The Password section: a "Change Password" button that opens the form, the form's errors, and the
    /// confirmation after a change.
    public struct PasswordSection: Sendable {
        public var open: Bool
        public var currentError: String?
        public var newError: String?
        public var confirmError: String?
        public var message: Message?
        /// When the password was last set, written out ("12 Nov 2026, 10:15"); nil when unknown.
        public var lastChanged: String?

        public init(open: Bool = false, currentError: String? = nil, newError: String? = nil, confirmError: String? = nil,
                    message: Message? = nil) {
            self.open = open
            self.currentError = currentError
            self.newError = newError
            self.confirmError = confirmError
            self.message = message
        }
    }

    /// The Authenticator App section: status badge, Enable, or "Turn off…" (a confirmation page of its own).
    public struct AuthenticatorSection: Sendable {
        public var enabled: Bool
        public var message: Message?

        public init(enabled: Bool, message: Message? = nil) {
            self.enabled = enabled
            self.message = message
        }
    }

    /// The Recovery Codes section, shown once two-factor authentication is on.
    public struct RecoveryCodesSection: Sendable {
        public var remaining: Int
        public var lowWarning: Bool
        public var regenerateOpen: Bool
        public var regenerateError: String?

        public init(remaining: Int, lowWarning: Bool, regenerateOpen: Bool = false, regenerateError: String? = nil) {
            self.remaining = remaining
            self.lowWarning = lowWarning
            self.regenerateOpen = regenerateOpen
            self.regenerateError = regenerateError
        }
    }

    /// "Administrator access", where the client's customers approve administrator views: requests
    /// waiting (Allow for 30 minutes / Decline), access given (with its end and "Revoke now"), and access
    /// granted ahead of time.
    public struct AdministratorAccessSection: Sendable {
        public struct Request: Sendable {
            public var id: Int64, staffName: String, reason: String, askedAt: String, expires: String
            public init(id: Int64, staffName: String, reason: String, askedAt: String, expires: String) {
                self.id = id; self.staffName = staffName; self.reason = reason; self.askedAt = askedAt; self.expires = expires
            }
        }
        public struct Access: Sendable {
            /// Who may view: a staff member's name, or nil for the grant any of the MSP's staff may use.
            public var id: Int64, staffName: String?, reason: String?, until: String, viewOpen: Bool
            public init(id: Int64, staffName: String?, reason: String?, until: String, viewOpen: Bool) {
                self.id = id; self.staffName = staffName; self.reason = reason; self.until = until; self.viewOpen = viewOpen
            }
        }
        /// The MSP's name ("NAME of MSP asks to view your account").
        public var msp: String
        public var requests: [Request]
        public var access: [Access]
        public var message: Message?
        public init(msp: String, requests: [Request], access: [Access], message: Message? = nil) {
            self.msp = msp; self.requests = requests; self.access = access; self.message = message
        }
    }

    public var chrome: Chrome
    /// Nil where the client's customers do not approve administrator views: no such card.
    public var administratorAccess: AdministratorAccessSection?
    /// Nil when the client signs in through single sign-on only: no password section at all.
    public var password: PasswordSection?
    public var authenticator: AuthenticatorSection
    public var recoveryCodes: RecoveryCodesSection?
    public var passkeys: PasskeysSection?
    /// "Signed-in sessions", and the confirmation after signing some out.
    public var sessions: [SessionItem] = []
    public var sessionsMessage: Message?
    /// "Recent activity": when, what happened and from where, newest first (Templates/ActivitySection.swift).
    public var activity = ActivitySection()
    /// The client requires a second factor and this account has none yet: only set-up is open.
    public var enrolmentRequired: Bool
    public var message: Message?
    /// The company's identity provider the account signs in with, when it is linked to one.
    public var singleSignOnProvider: String?

    public init(chrome: Chrome, password: PasswordSection?, authenticator: AuthenticatorSection,
                recoveryCodes: RecoveryCodesSection? = nil, passkeys: PasskeysSection? = nil, enrolmentRequired: Bool = false,
                message: Message? = nil) {
        self.chrome = chrome
        self.passkeys = passkeys
        self.password = password
        self.authenticator = authenticator
        self.recoveryCodes = recoveryCodes
        self.enrolmentRequired = enrolmentRequired
        self.message = message
    }
}

/// Renders the Security tab.
public enum SecurityView {
    public static func render(_ page: SecurityPage) -> HTML {
        let csrf = page.chrome.csrfToken ?? ""
        let owner = page.chrome.viewedAccountOwner
        if page.enrolmentRequired {
            return Layout.page(page.chrome, content: """
            <div class="panels">
              <div class="alert alert--info" role="status">Your IT provider requires two-factor authentication for your account. Set up an authenticator app, or add a security key or passkey, to continue.</div>
              \(Form.alert(page.message))
              \(authenticatorSection(page.authenticator, csrf: csrf, owner: owner))
              \(page.passkeys.map { PasskeyView.section($0, csrf: csrf, owner: owner) } ?? .empty)
            </div>
            """)
        }
        return Layout.page(page.chrome, content: """
        <div class="panels">
          \(Form.alert(page.message))
          \(page.password.map { passwordSection($0, csrf: csrf, provider: page.singleSignOnProvider, owner: owner) }
            ?? singleSignOnNote(provider: page.singleSignOnProvider))
          \(authenticatorSection(page.authenticator, csrf: csrf, owner: owner))
          \(page.recoveryCodes.map { recoveryCodesSection($0, csrf: csrf, owner: owner) } ?? .empty)
          \(page.passkeys.map { PasskeyView.section($0, csrf: csrf, owner: owner) } ?? .empty)
          \(sessionsSection(page.sessions, message: page.sessionsMessage, csrf: csrf, owner: owner))
          \(page.administratorAccess.map { administratorAccessSection($0, csrf: csrf, owner: owner) } ?? .empty)
          \(activitySection(page.activity))
        </div>
        """)
    }

    static func administratorAccessSection(_ section: SecurityPage.AdministratorAccessSection, csrf: String, owner: String?) -> HTML {
        let base = "/portal/profile/security/administrator-access"
        func post(_ action: String, _ label: String, _ style: String, hidden: HTML = .empty) -> HTML {
            """
            <form method="post" action="\(action)">
              \(Form.csrf(csrf))\(hidden)
              <button type="submit" class="button \(style)">\(label)</button>
            </form>
            """
        }
        let requests: HTML = HTML.each(section.requests) { request in """
            <li class="access__item">
              <p class="access__what"><strong>\(request.staffName) of \(section.msp) asks to view your account:</strong> \(request.reason)</p>
              <p class="access__when">Asked \(request.askedAt) · expires \(request.expires) if not answered</p>
              \(owner.map { OwnerOnly.button("Allow for 30 minutes", owner: $0, id: "access-request-\(String(request.id))-owner-only") } ?? """
              <div class="actions actions--wrap">
                \(post("\(base)/requests/\(String(request.id))/allow", "Allow for 30 minutes", "button--primary"))
                \(post("\(base)/requests/\(String(request.id))/decline", "Decline", "button--secondary"))
              </div>
              """)
            </li>
            """ }
        let access: HTML = HTML.each(section.access) { item in """
            <li class="access__item">
              <p class="access__what">\(item.staffName.map { name in
                  "<strong>\(name) can view your account</strong>\(item.viewOpen ? " (viewing it now)" : "") until \(item.until)." as HTML }
                ?? "<strong>Your IT provider can view your account</strong> until \(item.until)." as HTML)</p>
              \(item.reason.map { "<p class=\"access__when\">Reason: \($0)</p>" as HTML } ?? .empty)
              \(owner.map { OwnerOnly.button("Revoke now", owner: $0, id: "access-\(String(item.id))-owner-only") }
                ?? post("\(base)/\(String(item.id))/revoke", "Revoke now", "button--danger-quiet"))
            </li>
            """ }
        let grant: HTML = owner.map { OwnerOnly.button("Let my IT provider view my account", owner: $0, id: "access-grant-owner-only") } ?? """
            <form method="post" action="\(base)/grant" class="access__grant">
              \(Form.csrf(csrf))
              <p id="access-grant-label">Let my IT provider view my account:</p>
              <div class="actions actions--wrap" role="group" aria-labelledby="access-grant-label">
                <button type="submit" name="duration" value="1h" class="button button--secondary">For 1 hour</button>
                <button type="submit" name="duration" value="1d" class="button button--secondary">For 1 day</button>
              </div>
            </form>
            """
        return """
        <section class="card" id="administrator-access" aria-labelledby="access-title">
          <h2 id="access-title" class="card__title">Administrator access</h2>
          \(Form.alert(section.message))
          <p>\(section.msp) asks you before an administrator views your account. Nothing is shared until you allow it, and you can end it at any time.</p>
          \(section.requests.isEmpty ? .empty : "<h3 class=\"access__heading\">Waiting for your answer</h3><ul class=\"access__list\">\(requests)</ul>" as HTML)
          \(section.access.isEmpty ? .empty : "<h3 class=\"access__heading\">Access you gave</h3><ul class=\"access__list\">\(access)</ul>" as HTML)
          \(grant)
        </section>
        """
    }

    static func authenticatorSection(_ section: SecurityPage.AuthenticatorSection, csrf: String, owner: String?) -> HTML {
        let badge: HTML = section.enabled
            ? "<span class=\"badge badge--on\">Enabled</span>"
            : "<span class=\"badge badge--off\">Disabled</span>"
        let action: HTML
        if let owner {
            action = OwnerOnly.button(section.enabled ? "Turn off…" : "Enable", owner: owner, id: "authenticator-owner-only")
        } else if section.enabled {
            action = "<a class=\"button button--danger-quiet\" href=\"/portal/profile/security/totp/disable\">Turn off…</a>"
        } else {
            action = """
            <form method="post" action="/portal/profile/security/totp/enable">
              \(Form.csrf(csrf))
              <button type="submit" class="button button--primary">Enable</button>
            </form>
            """
        }
        return """
        <section class="card" aria-labelledby="authenticator-title">
          <div class="card__head">
            <h2 id="authenticator-title" class="card__title">Authenticator App</h2>
            \(badge)
          </div>
          \(Form.alert(section.message))
          <p>Use an app like Google Authenticator, Microsoft Authenticator or Authy for a 6-digit code at sign-in.</p>
          \(action)
        </section>
        """
    }

    static func recoveryCodesSection(_ section: SecurityPage.RecoveryCodesSection, csrf: String, owner: String?) -> HTML {
        let warning: HTML = HTML.when(section.lowWarning, """
            <div class="alert alert--error" role="status">Only \(section.remaining) recovery \(section.remaining == 1 ? "code is" : "codes are") left. Regenerate a new set and store it somewhere safe.</div>
            """)
        return """
        <section class="card" aria-labelledby="recovery-title">
          <h2 id="recovery-title" class="card__title">Recovery Codes</h2>
          <p>Recovery codes let you sign in if you lose access to your authenticator. <strong>\(section.remaining) of 10</strong> remaining.</p>
          \(warning)
          \(owner.map { OwnerOnly.button("Regenerate", owner: $0, id: "recovery-owner-only") } ?? """
          <details class="disclosure"\(HTML.when(section.regenerateOpen, " open"))>
            <summary class="button button--secondary">Regenerate</summary>
            <form method="post" action="/portal/profile/security/recovery-codes/regenerate" class="disclosure__body" novalidate>
              \(Form.csrf(csrf))
              <p>A new set replaces every earlier code.</p>
              \(Form.field(id: "regenerate_password", name: "password", label: "Password", type: "password",
                           error: section.regenerateError, required: true, autocomplete: "current-password", maxLength: 1024))
              <button type="submit" class="button button--primary">Regenerate recovery codes</button>
            </form>
          </details>
          """)
        </section>
        """
    }

    static func singleSignOnNote(provider: String?) -> HTML {
        """
        <section class="card" aria-labelledby="password-title">
          <h2 id="password-title" class="card__title">Password</h2>
          <p>Your organization requires single sign-on. Your password is managed by your company: change it through your company's identity provider.</p>
          \(provider.map(providerLine) ?? .empty)
        </section>
        """
    }

    /// Which provider signs the account in.
    static func providerLine(_ name: String) -> HTML {
        "<p class=\"card__note\">You sign in with <strong>\(name)</strong>, your company's sign-in.</p>"
    }

    static func passwordSection(_ section: SecurityPage.PasswordSection, csrf: String, provider: String?, owner: String?) -> HTML {
        """
        <section class="card" id="password" aria-labelledby="password-title">
          <h2 id="password-title" class="card__title">Password</h2>
          \(provider.map(providerLine) ?? .empty)
          <p class="card__note">\(section.lastChanged.map { "Last changed \($0)" } ?? "Not changed since the account was set up")</p>
          \(Form.alert(section.message))
          \(owner.map { OwnerOnly.button("Change Password", owner: $0, id: "password-owner-only") } ?? """
          <details class="disclosure"\(HTML.when(section.open, " open"))>
            <summary class="button button--secondary">Change Password</summary>
            <form method="post" action="/portal/profile/password" class="disclosure__body" novalidate>
              \(Form.csrf(csrf))
              \(Form.field(id: "current_password", name: "current_password", label: "Current Password", type: "password",
                           error: section.currentError, required: true, autocomplete: "current-password", maxLength: 1024))
              \(Form.field(id: "new_password", name: "new_password", label: "New Password", type: "password",
                           error: section.newError, rules: Form.newPasswordRules, required: true,
                           autocomplete: "new-password", maxLength: 1024, extra: " minlength=\"8\""))
              \(Form.field(id: "confirm_password", name: "confirm_password", label: "Confirm New Password", type: "password",
                           error: section.confirmError, required: true, autocomplete: "new-password", maxLength: 1024))
              \(Form.showPasswords)
              <div class="actions">
                <button type="submit" class="button button--primary">Save new password</button>
                <a class="button button--quiet" href="/portal/profile/security#password">Cancel</a>
              </div>
            </form>
          </details>
          """)
        </section>
        """
    }

}
