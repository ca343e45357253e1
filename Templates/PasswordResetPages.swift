/// "Forgot password?": ask for the email, or say a link is on its way (the same words whether or not
/// the address has an account).
public struct ForgotPasswordPage: Sendable {
    public var csrfToken: String
    public var sent: Bool
    public var error: String?
    public var email: String
    public var kiosk: Bool

    public init(csrfToken: String, sent: Bool = false, error: String? = nil, email: String = "", kiosk: Bool = false) {
        self.csrfToken = csrfToken
        self.sent = sent
        self.error = error
        self.email = email
        self.kiosk = kiosk
    }
}

/// The form an emailed reset link opens, or the notice that the link no longer works.
public struct ResetPasswordPage: Sendable {
    public var csrfToken: String
    /// Nil when the link is unknown, used or expired.
    public var token: String?
    public var email: String
    public var newError: String?
    public var confirmError: String?
    public var kiosk: Bool
    /// An invitation link: the client whose portal it opens ("Welcome to …"); nil for a reset link.
    public var invitationTo: String?

    public init(csrfToken: String, token: String?, email: String = "", newError: String? = nil, confirmError: String? = nil,
                kiosk: Bool = false, invitationTo: String? = nil) {
        self.invitationTo = invitationTo
        self.csrfToken = csrfToken
        self.token = token
        self.email = email
        self.newError = newError
        self.confirmError = confirmError
        self.kiosk = kiosk
    }
}

/// Renders the password-reset pages.
public enum PasswordResetView {
    public static func forgot(_ page: ForgotPasswordPage) -> HTML {
        let body: HTML
        if page.sent {
            body = """
            <h1 id="auth-title" class="auth__title">Check your email</h1>
            <div class="alert alert--success" role="status">If an account uses that address, a link to reset its password is on its way. It works once, for 30 minutes.</div>
            <p>No message after a few minutes? Check your spam folder, make sure you typed the address your IT provider invited, or contact your IT provider. If your organization uses single sign-on, reset your password with your company's identity provider instead.</p>
            <p><a href="/login">Back to sign in</a></p>
            """
        } else {
            body = """
            <h1 id="auth-title" class="auth__title">Reset your password</h1>
            <p class="auth__lead">Enter the email address you sign in with. We'll email you a link to choose a new password.</p>
            \(page.error.map { Form.alert(Message(.error, $0)) } ?? .empty)
            <form method="post" action="/login/forgot" novalidate>
              \(Form.csrf(page.csrfToken))
              \(Form.field(id: "email", name: "email", label: "Email", type: "email", value: page.email, required: true,
                           autocomplete: "username", maxLength: 254, extra: " autofocus"))
              <button type="submit" class="button button--primary button--block">Send reset link</button>
            </form>
            <p class="auth__footer"><a href="/login">Back to sign in</a></p>
            """
        }
        return wrap(title: "Reset your password", kiosk: page.kiosk, body)
    }

    public static func reset(_ page: ResetPasswordPage) -> HTML {
        guard let token = page.token else {
            return wrap(title: "Link expired", kiosk: page.kiosk, """
            <h1 id="auth-title" class="auth__title">This link no longer works</h1>
            <p>Reset links work once and for 30 minutes, and a newer link replaces older ones.</p>
            <p><a class="button button--primary" href="/login/forgot">Request a new link</a></p>
            """)
        }
        let title = page.invitationTo.map { "Welcome to \($0)'s portal — create your password" } ?? "Choose a new password"
        return wrap(title: title, kiosk: page.kiosk, """
        <h1 id="auth-title" class="auth__title">\(title)</h1>
        <p class="auth__identity"><span class="auth__email">\(page.email)</span></p>
        <form method="post" action="/login/reset" novalidate>
          \(Form.csrf(page.csrfToken))
          <input type="hidden" name="token" value="\(token)">
          <input type="text" name="username" value="\(page.email)" autocomplete="username" hidden>
          \(Form.field(id: "new_password", name: "new_password", label: "New Password", type: "password", error: page.newError,
                       rules: Form.newPasswordRules, required: true, autocomplete: "new-password", maxLength: 1024,
                       extra: " minlength=\"8\" autofocus"))
          \(Form.field(id: "confirm_password", name: "confirm_password", label: "Confirm New Password", type: "password",
                       error: page.confirmError, required: true, autocomplete: "new-password", maxLength: 1024))
          \(Form.showPasswords)
          <button type="submit" class="button button--primary button--block">\(page.invitationTo == nil ? "Set new password" : "Create password")</button>
        </form>
        """)
    }

    static func wrap(title: String, kiosk: Bool, _ body: HTML) -> HTML {
        Layout.authPage(Chrome(title: title, kiosk: kiosk), labelledBy: "auth-title", body)
    }
}
