/// The two tabs of the account pages.
public enum AccountTab: Sendable, Equatable {
    case profile, security
}

/// Who is signed in, as the page header shows them.
public struct AccountHeader: Sendable, Equatable {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// The avatar's letter: the first letter of the name, upper-cased (the email's when the name has none).
    public var initial: String {
        let source = name.first(where: { $0.isLetter || $0.isNumber }) ?? email.first ?? "?"
        return String(source).uppercased()
    }
}

/// Whose pages these are: the customer portal, or the MSP administrator's side, whose header says
/// "Administrator", whose footer speaks to staff, and whose content may use the window's whole width.
public enum Audience: Sendable, Equatable {
    case customer, staff
}

/// What every page around its content needs: the title, the signed-in account if any, the CSRF token for
/// the sign-out form, which tab is open, and the idle time-out the page's script warns about.
public struct Chrome: Sendable {
    public var title: String
    public var account: AccountHeader?
    public var csrfToken: String?
    public var tab: AccountTab?
    /// A banner above everything (the administrator notice while a customer's account is viewed).
    public var banner: HTML
    /// Seconds of inactivity before the server signs the session out; pages carry it for the warning script.
    public var idleTimeout: Int?
    /// Seconds of that time-out left when the page was made.
    public var idleRemaining: Int?
    /// A shared-workstation console: the pages say so.
    public var kiosk: Bool
    /// Where the footer's Sign Out posts (`/admin/logout` on the administrator's pages).
    public var signOutAction: String = "/logout"
    /// Where the product name in the header leads.
    public var home: String = "/portal/profile"
    /// A page that moves on by itself at once (sign-out continuing at the company's provider): a
    /// navigation, which the Content-Security-Policy's `form-action` does not cover as it does a form's
    /// redirect to another site.
    public var continueTo: String?
    /// While an administrator views the account: the owner's name. What only the owner may do is shown
    /// disabled with "Only NAME can change this", and Sign Out says that it ends the view.
    public var viewedAccountOwner: String?
    /// The customer portal (the default) or the administrator's side.
    public var audience: Audience = .customer

    public init(title: String, account: AccountHeader? = nil, csrfToken: String? = nil, tab: AccountTab? = nil,
                banner: HTML = .empty, idleTimeout: Int? = nil, kiosk: Bool = false) {
        self.title = title
        self.account = account
        self.csrfToken = csrfToken
        self.tab = tab
        self.banner = banner
        self.idleTimeout = idleTimeout
        self.kiosk = kiosk
    }
}

/// A control for what only the account's owner may do, while an administrator views the account: shown
/// where the live one would be, disabled, saying who can.
public enum OwnerOnly {
    public static func button(_ label: String, owner: String, id: String) -> HTML {
        """
        <div class="owner-only">
          <button type="button" class="button button--secondary" disabled aria-describedby="\(id)">\(label)</button>
          <p class="owner-only__note" id="\(id)">Only \(owner) can change this.</p>
        </div>
        """
    }
}

/// The one layout every page is wrapped in.
public enum Layout {
    public static let productName = "ClientOne Console"

    public static func page(_ chrome: Chrome, content: HTML) -> HTML {
        let idle: HTML = chrome.idleTimeout.map { " data-idle-timeout=\"\($0)\"" } ?? .empty
        let remaining: HTML = chrome.idleRemaining.map { " data-idle-remaining=\"\($0)\"" } ?? .empty
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="same-origin">
        \(chrome.continueTo.map { url in "<meta http-equiv=\"refresh\" content=\"0; url=\(url)\">" as HTML } ?? .empty)
        <title>\(chrome.title) · \(productName)</title>
        <link rel="stylesheet" href="/static/app.css">
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
        <script src="/static/app.js" defer></script>
        <script src="/static/passkeys.js" defer></script>
        </head>
        <body\(idle)\(remaining)\(HTML.when(chrome.audience == .staff, " class=\"staff\""))>
        <a class="skip-link" href="#main">Skip to content</a>
        \(chrome.banner)
        <header class="site-header">
          <div class="site-header__inner">
            <a class="brand" href="\(chrome.home)"><span class="brand__mark" aria-hidden="true">C1</span><span class="brand__name">\(productName)\(HTML.when(chrome.audience == .staff, " <span class=\"brand__role\">Administrator</span>"))</span></a>
            <div class="site-header__actions">
              \(HTML.when(chrome.kiosk, "<span class=\"kiosk-badge\">Shared computer</span>"))
              \(signOutForm(chrome, placement: "header"))
            </div>
          </div>
        </header>
        <main id="main" class="main" tabindex="-1">
        \(HTML.when(chrome.account != nil && chrome.tab != nil, accountHeader(chrome)))
        \(content)
        </main>
        \(footer(chrome))
        </body>
        </html>
        """
    }

    /// The one-card page of signing in and its neighbours (reset, the second step, errors, single
    /// sign-on, confirming it's you): the card centred, titled by the element `labelledBy` names.
    public static func authPage(_ chrome: Chrome, labelledBy: String, _ body: HTML) -> HTML {
        page(chrome, content: """
        <div class="auth">
          <section class="card auth__card" aria-labelledby="\(labelledBy)">
            \(body)
          </section>
        </div>
        """)
    }

    /// Name, email and initial avatar above the two tabs.
    static func accountHeader(_ chrome: Chrome) -> HTML {
        guard let account = chrome.account, let tab = chrome.tab else { return .empty }
        return """
        <section class="account-header" aria-label="Your account">
          <div class="avatar" aria-hidden="true">\(account.initial)</div>
          <div class="account-header__text">
            <h1 class="account-header__name">\(account.name)</h1>
            <p class="account-header__email">\(account.email)</p>
          </div>
        </section>
        <nav class="tabs" aria-label="Account sections">
          \(tabLink("Profile", href: "/portal/profile", current: tab == .profile))
          \(tabLink("Security", href: "/portal/profile/security", current: tab == .security))
        </nav>
        """
    }

    static func tabLink(_ label: String, href: String, current: Bool) -> HTML {
        current
            ? "<a class=\"tabs__tab tabs__tab--current\" href=\"\(href)\" aria-current=\"page\">\(label)</a>"
            : "<a class=\"tabs__tab\" href=\"\(href)\">\(label)</a>"
    }

    /// Sign Out on every signed-in page: in the header, always in reach (beside the kiosk badge on a
    /// shared computer), and again at the foot of the page.
    static func signOutForm(_ chrome: Chrome, placement: String) -> HTML {
        guard chrome.account != nil, let token = chrome.csrfToken else { return .empty }
        return """
        <form class="sign-out sign-out--\(placement)" method="post" action="\(chrome.signOutAction)">
          \(Form.csrf(token))
          <button type="submit" class="button \(placement == "header" ? "button--secondary button--small" : "button--quiet")">\(chrome.viewedAccountOwner == nil ? "Sign Out" : "Sign Out (ends the view)")</button>
        </form>
        """
    }

    static func footer(_ chrome: Chrome) -> HTML {
        let signOut = signOutForm(chrome, placement: "footer")
        return """
        <footer class="site-footer">
          <div class="site-footer__inner">
            \(chrome.viewedAccountOwner.map { owner in
                "<p class=\"site-footer__note\">You are viewing \(owner)’s account as an administrator. Sign Out ends this view and takes you back to the administrator pages; you stay signed in there.</p>" as HTML
            } ?? """
            <p class="site-footer__note">\(chrome.audience == .staff
                ? "MSP administrator pages. What you change here is recorded in the audit log with your name."
                : "Your IT provider manages this portal. Contact them for help with your account.")</p>
            """)
            \(signOut)
          </div>
        </footer>
        """
    }
}
