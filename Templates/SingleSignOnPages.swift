/// What a person sees when single sign-on did not lead in: cancelled at the provider, or failed.
public struct SingleSignOnProblemPage: Sendable {
    public enum Problem: Sendable, Equatable {
        /// The person said no at the provider.
        case cancelled
        /// Anything else; the reference finds the precise reason in the audit log.
        case failed(reference: String)
    }

    public var problem: Problem
    /// Where "Try again" leads: the sign-in page of the side that started it.
    public var retryPath: String
    public var kiosk: Bool

    public init(problem: Problem, retryPath: String = "/login", kiosk: Bool = false) {
        self.problem = problem
        self.retryPath = retryPath
        self.kiosk = kiosk
    }
}

public enum SingleSignOnProblemView {
    public static func render(_ page: SingleSignOnProblemPage) -> HTML {
        let title: String
        let body: HTML
        switch page.problem {
        case .cancelled:
            title = "Sign-in was cancelled"
            body = """
            <p>Sign-in at your company's sign-in page was cancelled, so you are not signed in.</p>
            <p><a class="button button--primary" href="\(page.retryPath)">Try again</a></p>
            """
        case .failed(let reference):
            title = "Single sign-on did not work"
            body = """
            <p>If SSO redirect fails, contact your IT provider — SSO configuration may need updating.</p>
            <p>Give them this reference, which tells them what went wrong: <strong class="reference">\(reference)</strong></p>
            <p><a class="button button--secondary" href="\(page.retryPath)">Try again</a></p>
            """
        }
        return Layout.authPage(Chrome(title: title, kiosk: page.kiosk), labelledBy: "sso-title", """
        <h1 id="sso-title" class="auth__title">\(title)</h1>
        \(body)
        """)
    }
}

/// Signed out of the console; signing out continues at the company's provider (its end-session URL),
/// at once and by a link for a browser that does not follow the refresh.
public enum SingleSignOnSignedOutView {
    public static func render(providerName: String, continueTo url: String, kiosk: Bool) -> HTML {
        var chrome = Chrome(title: "Signed out", kiosk: kiosk)
        chrome.continueTo = url
        return Layout.authPage(chrome, labelledBy: "signed-out-title", """
        <h1 id="signed-out-title" class="auth__title">You are signed out</h1>
        <p>Signing you out at \(providerName) too, so the next person cannot sign in with your company account.</p>
        <p><a class="button button--primary" href="\(url)">Continue to \(providerName)</a></p>
        """)
    }
}

/// Signed in through the company's provider: the way on to the console's page. The provider's redirect
/// back is a navigation from another site, and a redirect answering it stays cross-site, so the browser
/// would not send the new `SameSite=Strict` session cookie with it; this page moves on by itself, from
/// the console's own origin, and the cookie goes along.
public enum SingleSignOnContinueView {
    public static func render(to path: String, kiosk: Bool) -> HTML {
        var chrome = Chrome(title: "Signing you in", kiosk: kiosk)
        chrome.continueTo = path
        return Layout.authPage(chrome, labelledBy: "continue-title", """
        <h1 id="continue-title" class="auth__title">Signing you in</h1>
        <p><a class="button button--primary" href="\(path)">Continue</a></p>
        """)
    }
}
