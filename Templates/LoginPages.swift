/// The sign-in page, identifier first: the email, then the password (or the single sign-on notice).
public struct LoginPage: Sendable {
    public enum Step: Sendable, Equatable {
        /// Ask for the email address.
        case email
        /// Ask for the password of this email address.
        case password
        /// The organization signs in through its identity provider: no password field.
        case singleSignOn
    }

    public var step: Step
    public var csrfToken: String
    public var email: String
    public var error: String?
    public var notice: Message?
    public var kiosk: Bool
    /// The company's identity provider for this address, when it has one ("Continue with …").
    public var singleSignOn: SingleSignOnChoice?

    public init(step: Step, csrfToken: String, email: String = "", error: String? = nil, notice: Message? = nil, kiosk: Bool = false,
                singleSignOn: SingleSignOnChoice? = nil) {
        self.step = step
        self.csrfToken = csrfToken
        self.email = email
        self.error = error
        self.notice = notice
        self.kiosk = kiosk
        self.singleSignOn = singleSignOn
    }
}

/// The way to a company's sign-in page: a plain link (no script, and no form, whose redirect to the
/// provider the Content-Security-Policy's `form-action 'self'` would block).
public struct SingleSignOnChoice: Sendable, Equatable {
    public var displayName: String
    public var href: String

    /// `start` is the route that sends the person on (`/login/sso`, `/admin/login/sso`); the address typed
    /// goes along as the provider's `login_hint`.
    public init(displayName: String, start: String, providerID: Int64?, loginHint: String?) {
        self.displayName = displayName
        var query: [String] = []
        if let providerID { query.append("provider=\(providerID)") }
        if let loginHint, !loginHint.isEmpty { query.append("login_hint=" + TwoFactorView.percentEncode(loginHint)) }
        href = start + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    var button: HTML {
        """
        <a class="button button--primary button--block" href="\(href)">Continue with \(displayName)</a>
        """
    }
}

/// Renders the sign-in steps.
public enum LoginView {
    public static func render(_ page: LoginPage) -> HTML {
        let body: HTML
        switch page.step {
        case .email: body = emailStep(page)
        case .password: body = passwordStep(page)
        case .singleSignOn: body = singleSignOnStep(page)
        }
        let kioskNote: HTML = HTML.when(page.kiosk, """
            <p class="kiosk-note">This is a shared computer. Sign out when you are done, and don't save passwords in this browser.</p>
            """)
        return Layout.authPage(Chrome(title: "Sign in", kiosk: page.kiosk), labelledBy: "auth-title", """
        \(kioskNote)
        \(Form.alert(page.notice))
        \(body)
        """)
    }

    static func emailStep(_ page: LoginPage) -> HTML {
        """
        <h1 id="auth-title" class="auth__title">Sign in</h1>
        <p class="auth__lead">Use the email address your IT provider invited to the Client Portal.</p>
        \(page.error.map { Form.alert(Message(.error, $0)) } ?? .empty)
        <form method="post" action="/login" novalidate>
          \(Form.csrf(page.csrfToken))
          \(Form.field(id: "email", name: "email", label: "Email", type: "email", value: page.email,
                       required: true, autocomplete: "username", maxLength: 254, extra: " autofocus"))
          <button type="submit" class="button button--primary button--block">Continue</button>
        </form>
        \(PasskeyView.signInButton(label: page.kiosk ? "Sign in with a security key or phone" : "Sign in with a passkey", action: "/login/passkey"))
        <p class="auth__footer"><a href="/login/forgot">Forgot password?</a></p>
        """
    }

    static func passwordStep(_ page: LoginPage) -> HTML {
        """
        <h1 id="auth-title" class="auth__title">Enter your password</h1>
        <p class="auth__identity"><span class="auth__email">\(page.email)</span> <a href="/login">Use a different email</a></p>
        \(page.error.map { Form.alert(Message(.error, $0)) } ?? .empty)
        \(page.singleSignOn.map(passwordAlternative) ?? .empty)
        <form method="post" action="/login" novalidate>
          \(Form.csrf(page.csrfToken))
          <input type="hidden" name="email" value="\(page.email)">
          <input type="text" name="username" value="\(page.email)" autocomplete="username" hidden aria-hidden="true" tabindex="-1">
          \(Form.field(id: "password", name: "password", label: "Password", type: "password",
                       required: true, autocomplete: "current-password", maxLength: 1024, extra: " autofocus"))
          <button type="submit" class="button button--primary button--block">Sign in</button>
        </form>
        <p class="auth__footer"><a href="/login/forgot">Forgot password?</a></p>
        """
    }

    /// A client with a provider that still allows passwords: the company's sign-in first.
    static func passwordAlternative(_ choice: SingleSignOnChoice) -> HTML {
        """
        \(choice.button)
        <p class="auth__or"><span>or use your password</span></p>
        """
    }

    static func singleSignOnStep(_ page: LoginPage) -> HTML {
        """
        <h1 id="auth-title" class="auth__title">Your organization requires single sign-on</h1>
        <p class="auth__identity"><span class="auth__email">\(page.email)</span> <a href="/login">Use a different email</a></p>
        <p>Password sign-in is turned off for your organization. Sign in with your company account through your organization's sign-in page.</p>
        \(page.singleSignOn?.button ?? .empty)
        <p>If SSO redirect fails, contact your IT provider — SSO configuration may need updating.</p>
        """
    }
}

/// A sign-in that cannot lead into the portal, with what the person can do about it
/// (the states of the Troubleshooting guide).
public struct AccessStatePage: Sendable {
    public enum State: Sendable, Equatable {
        /// The client's portal is turned off.
        case portalNotAvailable
        /// The identity signed in, but no customer account links it to a client.
        case accessRequired
    }

    public var state: State
    public var kiosk: Bool
    /// After single sign-on: where signing out of the company's provider continues (its end-session
    /// URL), so the next attempt can use another account; nil when the provider has none.
    public var providerSignOut: String?
    /// The sign-in this came from: "Sign Out" leads back there.
    public var signInPath: String

    public init(state: State, kiosk: Bool = false, providerSignOut: String? = nil, signInPath: String = "/login") {
        self.state = state
        self.kiosk = kiosk
        self.providerSignOut = providerSignOut
        self.signInPath = signInPath
    }
}

/// Renders the troubleshooting states.
public enum AccessStateView {
    public static func render(_ page: AccessStatePage) -> HTML {
        let title: String
        let body: HTML
        switch page.state {
        case .portalNotAvailable:
            title = "Portal not available"
            body = """
            <p>Portal access is not enabled for your organization.</p>
            <ul class="steps">
              <li>Contact your IT provider and ask them to enable ClientOne portal access for your organization.</li>
              <li>Confirm you are signing in with the correct email.</li>
            </ul>
            """
        case .accessRequired:
            title = "Client Portal Access Required"
            body = """
            <p>You signed in, but no customer portal account is linked to this sign-in.</p>
            <ul class="steps">
              <li>Sign out and sign in again with the email your IT provider invited.</li>
              <li>Ask your IT provider to send you a ClientOne invitation or to link your account.</li>
              <li>MSP staff: staff accounts do not have access to the customer portal. Use the administrator console instead.</li>
            </ul>
            """
        }
        return Layout.authPage(Chrome(title: title, kiosk: page.kiosk), labelledBy: "state-title", """
        <h1 id="state-title" class="auth__title">\(title)</h1>
        \(body)
        \(HTML.when(page.state == .accessRequired, """
            <p><a class="button button--primary" href="\(page.providerSignOut ?? page.signInPath)">Sign Out</a></p>
            """))
        <p><a class="button button--secondary" href="\(page.signInPath)">Sign in with a different email</a></p>
        """)
    }
}
