import HTTP
import Templates
import WebAuthn

/// Everything a handler knows about a request, loaded by the pipeline in a fixed order: the request,
/// the session and its customer account, the CSRF token for the page's forms, and the cookies to set.
struct RequestContext {
    let request: Request
    let app: WebApp
    var portal: Portal { app.portal }
    /// The signed-in session, if any.
    var session: Session?
    /// The customer of a customer session whose account is usable (linked, active, portal on).
    var account: CustomerAccount?
    /// The MSP staff member's session and who they are (administrator pages).
    var staffSession: Session?
    var staff: StaffMember?
    /// The administrator viewing this customer's account, when the session is theirs.
    var impersonator: StaffMember?
    /// Why the administrator opened the view, as they typed it.
    var viewReason: String?
    /// The customer whose consent no longer covered the administrator's view this request came from:
    /// the view has just ended.
    var viewEndedByCustomer: Int64?
    /// The browser's session ran out from inactivity on this request.
    var expiredIdle = false
    /// The token forms on this page carry.
    var csrfToken: String
    /// What the CSRF token is bound to (this browser's session or pre-session); WebAuthn challenges are
    /// bound to the same.
    var binding: String
    /// `Set-Cookie` values for the response.
    var setCookies: [String] = []

    var ip: String { request.remoteAddress }
    var userAgent: String { request.headers["User-Agent"] ?? "" }

    /// The audit identity of whoever is acting.
    var actor: Actor {
        Actor(customerUserID: account?.user.id, staffID: impersonator?.id ?? session?.staffID, clientID: account?.client.id, ip: ip,
              isAdministratorViewing: impersonator != nil, sessionID: session?.id, userAgent: userAgent)
    }

    /// The page frame for a signed-in customer page.
    func chrome(title: String, tab: AccountTab?) -> Chrome {
        var chrome = Chrome(title: title, account: account.map { AccountHeader(name: $0.user.name, email: $0.user.email) },
                            csrfToken: csrfToken, tab: tab,
                            banner: administratorNotice.map { AdminView.impersonationBanner($0, csrfToken: csrfToken) } ?? .empty,
                            idleTimeout: Int(portal.configuration.effectiveIdleTimeout), kiosk: portal.configuration.kiosk)
        chrome.idleRemaining = idleSecondsLeft
        if impersonator != nil { chrome.viewedAccountOwner = account?.user.name }
        return chrome
    }

    /// The notice at the top of every page while an administrator views the account: who, why, and how
    /// long the view has left of its 30 minutes.
    var administratorNotice: ImpersonationNotice? {
        guard let impersonator, let session else { return nil }
        return ImpersonationNotice(staffName: impersonator.name, reason: viewReason ?? "",
                                   secondsLeft: Int(max(0, session.expiresAt - portal.now)))
    }

    /// Seconds until the server signs this session out for inactivity, counted from its last noted
    /// activity (which may be a little older than this request), so the page's warning is never late.
    var idleSecondsLeft: Int {
        let timeout = portal.configuration.effectiveIdleTimeout
        guard let session else { return Int(timeout) }
        return Int(max(0, timeout - (portal.now - session.lastSeenAt)))
    }

    /// The decoded form body, or a 400/415 page.
    func form() throws -> Parameters {
        do { return try request.form() } catch { throw error.portalError }
    }

    /// The relying party of the console's passkeys: its origin, and that origin's host as the RP ID.
    var relyingParty: RelyingParty {
        let origin = app.origin
        let authority = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? "localhost"
        let host = authority.hasPrefix("[") ? String(authority.prefix { $0 != "]" }.dropFirst())
                                            : String(authority.prefix { $0 != ":" })
        return RelyingParty(id: host, name: portal.configuration.issuer, origin: origin)
    }

    /// Refuses, while an administrator views the account, what only its owner may do: what would give
    /// the administrator lasting access (`because` says so by default), or what proves who the customer is.
    func refuseWhileImpersonating(_ what: String, because: String = PolicyRefusal.lastingAccess) throws {
        try actor.mustBeTheCustomer(what, because: because)
    }
}
