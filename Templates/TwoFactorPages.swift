/// The authenticator set-up page: the QR code, the secret for typing in, and the first code.
public struct AuthenticatorSetupPage: Sendable {
    public var chrome: Chrome
    /// The QR code of the `otpauth://` URI, as SVG from the project's own encoder.
    public var qrSVG: HTML
    /// The secret in groups of four, for typing in by hand.
    public var groupedSecret: String
    /// Which set-up the page shows: the form sends it back, so the code confirms this secret and no
    /// set-up started later in another tab.
    public var setupID: Int64
    public var error: String?
    /// Where the code goes, and where Cancel posts (the customer's or the staff member's set-up). Cancel
    /// is a POST: it ends the pending set-up on the server, which a link could not.
    public var verifyAction = "/portal/profile/security/totp/verify"
    public var cancelAction = "/portal/profile/security/totp/cancel"
    /// What the app will list the account as, and the `otpauth://` URI itself: a phone cannot scan its
    /// own screen, so there the page offers the URI as a link the authenticator app opens.
    public var issuer: String
    public var account: String
    public var keyURI: String

    public init(chrome: Chrome, qrSVG: HTML, groupedSecret: String, setupID: Int64, issuer: String, account: String, keyURI: String,
                error: String? = nil) {
        self.issuer = issuer
        self.account = account
        self.keyURI = keyURI
        self.chrome = chrome
        self.qrSVG = qrSVG
        self.groupedSecret = groupedSecret
        self.setupID = setupID
        self.error = error
    }
}

/// Recovery codes, shown while they are pending in the session that made them (until "I've Saved
/// These"). In kiosk mode (`chrome.kiosk`) there is no download: it would leave them on a shared disk.
public struct RecoveryCodesPage: Sendable {
    public var chrome: Chrome
    public var codes: [String]
    /// Whether two-factor authentication was just turned on (rather than codes regenerated).
    public var justEnabled: Bool

    public init(chrome: Chrome, codes: [String], justEnabled: Bool) {
        self.chrome = chrome
        self.codes = codes
        self.justEnabled = justEnabled
    }
}

/// One way of answering the second step of sign-in.
public enum SecondFactorWay: String, Sendable, CaseIterable {
    /// First when the account has one: nothing to type, and nothing a fake site can reuse.
    case passkey
    case code, recovery
}

/// The second step of sign-in: one way at a time, and "Try another way", which lists the others in its place.
public struct SecondFactorPage: Sendable {
    public var csrfToken: String
    public var error: String?
    public var kiosk: Bool
    /// Who is signing in: the page says so.
    public var email: String
    /// The account has a security key or passkey: "Use a passkey" is offered.
    public var passkeyAvailable: Bool
    /// The account's authenticator app is on: the code field is offered.
    public var authenticatorAvailable: Bool
    /// The account has unused recovery codes: "Use a recovery code" is offered.
    public var recoveryCodesAvailable: Bool
    /// The way asked for (`?with=`); nil for the account's first way; "Try another way" lists them instead
    /// when `choosing`.
    public var requested: SecondFactorWay?
    public var choosing = false

    public init(csrfToken: String, email: String, error: String? = nil, kiosk: Bool = false, passkeyAvailable: Bool = false,
                authenticatorAvailable: Bool = true, recoveryCodesAvailable: Bool = true) {
        self.csrfToken = csrfToken
        self.email = email
        self.error = error
        self.kiosk = kiosk
        self.passkeyAvailable = passkeyAvailable
        self.authenticatorAvailable = authenticatorAvailable
        self.recoveryCodesAvailable = recoveryCodesAvailable
    }

    /// The ways this account has, in the order offered: a key, the app's code, a recovery code.
    public var ways: [SecondFactorWay] {
        SecondFactorWay.allCases.filter { way in
            switch way {
            case .code: authenticatorAvailable
            case .passkey: passkeyAvailable
            case .recovery: recoveryCodesAvailable
            }
        }
    }

    /// The way the page shows: the one asked for when the account has it, else its first.
    public var shown: SecondFactorWay? {
        if let requested, ways.contains(requested) { return requested }
        return ways.first
    }
}

/// Renders the two-factor pages.
public enum TwoFactorView {
    public static func setup(_ page: AuthenticatorSetupPage) -> HTML {
        let csrf = page.chrome.csrfToken ?? ""
        return Layout.page(page.chrome, content: """
        <section class="card setup" aria-labelledby="setup-title" data-secret-shown-once>
          <h2 id="setup-title" class="card__title">Set up your authenticator app</h2>
          <ol class="setup__steps">
            <li>Open your authenticator app and add an account.</li>
            <li>Scan this QR code (on this phone: Open in authenticator app), or enter the secret by hand.</li>
            <li>Enter the 6-digit code the app shows, then select Verify.</li>
          </ol>
          <p class="setup__account">Your app will list it as <strong>\(page.issuer)</strong> (\(page.account)).</p>
          <div class="setup__body">
          <div class="setup__scan">
            <p class="setup__open"><a class="button button--secondary" href="\(page.keyURI)">Open in authenticator app</a></p>
            <div class="setup__qr">\(page.qrSVG)</div>
          </div>
          <div class="setup__enter">
          <div class="secret">
            <p class="field__label" id="secret-label">Secret for manual entry</p>
            <p class="secret__value"><code id="totp-secret" aria-labelledby="secret-label">\(page.groupedSecret)</code></p>
            <button type="button" class="button button--quiet" data-copy="totp-secret" data-js-only hidden>Copy secret</button>
          </div>
          <form method="post" action="\(page.verifyAction)" novalidate autocomplete="off">
            \(Form.csrf(csrf))
            <input type="hidden" name="setup" value="\(String(page.setupID))">
            \(Form.field(id: "code", name: "code", label: "6-digit code", error: page.error, required: true,
                         autocomplete: "one-time-code", maxLength: 7,
                         extra: " inputmode=\"numeric\" pattern=\"[0-9 ]*\" autofocus"))
            <div class="actions">
              <button type="submit" class="button button--primary">Verify</button>
              <button type="submit" class="button button--quiet" formaction="\(page.cancelAction)" formnovalidate>Cancel</button>
            </div>
          </form>
          </div>
          </div>
        </section>
        """)
    }

    public static func recoveryCodes(_ page: RecoveryCodesPage) -> HTML {
        let csrf = page.chrome.csrfToken ?? ""
        let text = page.codes.joined(separator: "\n") + "\n"
        let download: HTML = page.chrome.kiosk ? .empty : """
            <a class="button button--secondary" href="\("data:text/plain;charset=utf-8," + percentEncode("ClientOne Console recovery codes\nEach code works once.\n\n" + text))" download="clientone-recovery-codes.txt">Download .txt</a>
            """
        let intro: HTML = page.justEnabled
            ? "<div class=\"alert alert--success\" role=\"status\">Two-factor authentication is on.</div>"
            : "<div class=\"alert alert--success\" role=\"status\">Your new recovery codes are ready. Every earlier code no longer works.</div>"
        return Layout.page(page.chrome, content: """
        <section class="card codes" aria-labelledby="codes-title" data-secret-shown-once>
          \(intro)
          <h2 id="codes-title" class="card__title">Save your recovery codes</h2>
          <p>Each code signs you in once if you lose your authenticator. This page shows them only until you select I've Saved These (10 minutes at most): store them somewhere safe and offline.</p>
          <ul class="codes__list" id="recovery-codes">
            \(HTML.each(page.codes) { "<li><code>\($0)</code></li>" })
          </ul>
          <div class="actions codes__actions">
            <button type="button" class="button button--secondary" data-copy="recovery-codes" data-js-only hidden>Copy Codes</button>
            \(download)
            <button type="button" class="button button--quiet" data-print data-js-only hidden>Print</button>
          </div>
          <form method="post" action="/portal/profile/security/recovery-codes/saved">
            \(Form.csrf(csrf))
            <button type="submit" class="button button--primary">I've Saved These</button>
          </form>
        </section>
        """)
    }

    public static func secondFactor(_ page: SecondFactorPage) -> HTML {
        let error: HTML = page.error.map { Form.alert(Message(.error, $0)) } ?? .empty
        let body: HTML
        if page.choosing || page.shown == nil {
            body = """
            <h2 class="auth__subtitle">Choose how to confirm it’s you</h2>
            <ul class="ways">
              \(HTML.each(page.ways) { way in
                "<li><a class=\"ways__way\" href=\"/login/mfa?with=\(way.rawValue)\">\(wayName(way, kiosk: page.kiosk))</a></li>"
              })
            </ul>
            """
        } else {
            body = """
            \(page.shown.map { secondFactorForm($0, page) } ?? .empty)
            \(HTML.when(page.ways.count > 1, "<p class=\"auth__another\"><a href=\"/login/mfa?with=choose\">Try another way</a></p>"))
            """
        }
        return Layout.authPage(Chrome(title: "Two-factor authentication", kiosk: page.kiosk), labelledBy: "auth-title", """
        <h1 id="auth-title" class="auth__title">Two-factor authentication</h1>
        <p class="auth__account">Signing in as <strong>\(page.email)</strong></p>
        \(error)
        \(body)
        <form method="post" action="/logout" class="auth__cancel">
          \(Form.csrf(page.csrfToken))
          <button type="submit" class="button button--quiet button--block">Not you? Cancel and sign out</button>
        </form>
        """)
    }

    static func wayName(_ way: SecondFactorWay, kiosk: Bool) -> String {
        switch way {
        case .code: "Enter a code from your authenticator app"
        case .passkey: kiosk ? "Use a security key or your phone" : "Use a passkey or security key"
        case .recovery: "Enter a recovery code"
        }
    }

    /// The form of one way; each says which way it is, so a wrong answer comes back on the same way.
    static func secondFactorForm(_ way: SecondFactorWay, _ page: SecondFactorPage) -> HTML {
        switch way {
        case .code:
            return """
            <form method="post" action="/login/mfa" novalidate autocomplete="off">
              \(Form.csrf(page.csrfToken))
              <input type="hidden" name="with" value="code">
              \(Form.field(id: "code", name: "code", label: "Authenticator code",
                           hint: "Enter the 6-digit code from your authenticator app.", required: true,
                           autocomplete: "one-time-code", maxLength: 7, extra: " inputmode=\"numeric\" autofocus"))
              <button type="submit" class="button button--primary button--block">Verify</button>
            </form>
            """
        case .recovery:
            return """
            <form method="post" action="/login/mfa" novalidate autocomplete="off">
              \(Form.csrf(page.csrfToken))
              <input type="hidden" name="with" value="recovery">
              \(Form.field(id: "recovery_code", name: "code", label: "Recovery code", hint: "Like abcde-23456. Each code works once.",
                           required: true, autocomplete: "off", maxLength: 16, extra: " spellcheck=\"false\" autocapitalize=\"none\" autofocus"))
              <button type="submit" class="button button--primary button--block">Use recovery code</button>
            </form>
            """
        case .passkey:
            return """
            <p>Confirm it’s you with your security key or passkey.</p>
            <noscript><p class="note">Using a key needs JavaScript, which is off in this browser.</p></noscript>
            <div data-js-only hidden>
              <button type="button" class="button button--primary button--block" data-passkey-signin="/login/mfa/passkey">\(wayName(.passkey, kiosk: page.kiosk))</button>
              <p class="field__error" role="alert" data-passkey-error hidden></p>
            </div>
            """
        }
    }

    /// Percent-encodes text for a `data:` URL (everything but unreserved characters).
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
