import Foundation
import HTTP
import Store
import Templates
import WebAuthn

/// Security keys and passkeys: registration and management on the Security tab, passwordless sign-in,
/// the MFA step, and "Confirm it's you" (recent re-authentication) before sensitive changes.
enum PasskeyHandlers {
    /// What `…/finish` takes: `{"credential": CRED, "name": "..."}`, CRED as `toJSON()` gives it.
    struct FinishBody<Answer: CredentialResponse>: Decodable {
        let credential: PublicKeyCredential<Answer>
        let name: String?
    }

    /// What `…/finish` answers.
    struct Outcome: Encodable {
        let ok: Bool
        var redirect: String?
        var error: String?
    }

    // MARK: Registration (Security tab)

    @Sendable static func beginRegistration(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Adding a passkey")
        let account = context.account
        if let refusal = try requireRecentAuthentication(context, returnTo: "/portal/profile/security#passkeys") { return refusal }
        let options = try context.portal.passkeyRegistrationOptions(owner: .customer(account.user.id), email: account.user.email,
                                                                   displayName: account.user.name, binding: context.binding,
                                                                   rp: context.relyingParty)
        return Response(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: options)
    }

    @Sendable static func finishRegistration(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Adding a passkey")
        let account = context.account
        if let refusal = try requireRecentAuthentication(context, returnTo: "/portal/profile/security#passkeys") { return refusal }
        let body: FinishBody<AttestationResponse>
        switch finishBody(context, AttestationResponse.self) {
        case .success(let decoded): body = decoded
        case .failure(let answer): return answer
        }
        switch try context.portal.finishPasskeyRegistration(owner: .customer(account.user.id), credential: body.credential,
                                                            name: body.name ?? "", binding: context.binding,
                                                            rp: context.relyingParty, actor: context.actor,
                                                            enrolling: (context.session, context.ip, context.userAgent)) {
        case .success(let added):
            // A key that completes a required enrolment signs the session fully in (a new token).
            if let token = added.newSessionToken {
                context.setCookies.append(Cookies.set(Cookies.session, token, secure: context.portal.configuration.secureCookies))
            }
            return .json(Outcome(ok: true, redirect: "/portal/profile/security#passkeys"))
        case .failure(let refusal):
            return .json(Outcome(ok: false, error: refusal.message), status: refusal.status)
        }
    }

    @Sendable static func rename(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Renaming a security key", because: "changes how the customer recognises their own keys")
        let account = context.account
        let id = try keyID(context)
        let name = try context.form()["name"] ?? ""
        switch try context.portal.renamePasskey(id: id, owner: .customer(account.user.id), name: name, actor: context.actor) {
        case nil:
            throw PortalError.notFound
        case .success?:
            return .redirect(to: "/portal/profile/security#passkeys")
        case .failure(let refusal)?:
            var view = try SecurityView.Model(context)
            view.passkeys?.renameOpen = id
            view.passkeys?.renameError = refusal.message
            view.passkeys?.renameValue = name
            return view.response(status: refusal.status)
        }
    }

    @Sendable static func confirmRemoval(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Removing a passkey")
        let account = context.account
        let id = try keyID(context)
        guard let key = try context.portal.passkey(id: id, owner: .customer(account.user.id)) else { throw PortalError.notFound }
        let here = "/portal/profile/security/passkeys/\(id)/delete"
        if let refusal = try requireRecentAuthentication(context, returnTo: here) { return refusal }
        let page = PasskeyRemovePage(chrome: context.chrome(title: "Remove key", tab: .security), key: item(key))
        return .html(PasskeyView.remove(page))
    }

    @Sendable static func remove(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Removing a passkey")
        let account = context.account
        let id = try keyID(context)
        guard try context.portal.passkey(id: id, owner: .customer(account.user.id)) != nil else { throw PortalError.notFound }
        if let refusal = try requireRecentAuthentication(context, returnTo: "/portal/profile/security/passkeys/\(id)/delete") {
            return refusal
        }
        guard try context.portal.removePasskey(id: id, owner: .customer(account.user.id), actor: context.actor) else { throw PortalError.notFound }
        return .redirect(to: "/portal/profile/security#passkeys")
    }

    // MARK: Sign-in and the MFA step

    @Sendable static func beginSignIn(_ context: inout RequestContext) throws -> Response {
        json(try context.portal.passkeySignInOptions(binding: context.binding, rp: context.relyingParty))
    }

    @Sendable static func finishSignIn(_ context: inout RequestContext) throws -> Response {
        let body: FinishBody<AssertionResponse>
        switch finishBody(context, AssertionResponse.self) {
        case .success(let decoded): body = decoded
        case .failure(let answer): return answer
        }
        switch try context.portal.signInWithPasskey(credential: body.credential, binding: context.binding,
                                                    rp: context.relyingParty, ip: context.ip, userAgent: context.userAgent) {
        case .success(.signedIn(let token, _)):
            context.setCookies.append(Cookies.set(Cookies.session, token, secure: context.portal.configuration.secureCookies))
            return .json(Outcome(ok: true, redirect: "/portal/profile"))
        case .success(.singleSignOnRequired):
            return .json(Outcome(ok: false, error: "Your organization requires single sign-on. Sign in through your company's sign-in page; a passkey cannot be used for this account."),
                         status: 403)
        case .success(.portalNotAvailable):
            return .json(Outcome(ok: false, error: "Portal not available. Your organization's Client Portal is turned off: contact your IT provider to enable portal access."),
                         status: 403)
        case .success:
            return .json(Outcome(ok: false, error: "Client Portal Access Required. This account has no access to the Client Portal: ask your IT provider."),
                         status: 403)
        case .failure(let refusal):
            return refused(refusal)
        }
    }

    @Sendable static func beginSecondFactor(_ context: inout SessionContext) throws -> Response {
        let session = context.session
        guard let customerID = session.customerUserID else { throw PortalError.notFound }
        return json(try context.portal.passkeyOptions(for: .customer(customerID), purpose: .secondFactor, binding: context.binding,
                                                      rp: context.relyingParty))
    }

    @Sendable static func finishSecondFactor(_ context: inout SessionContext) throws -> Response {
        let session = context.session
        let body: FinishBody<AssertionResponse>
        switch finishBody(context, AssertionResponse.self) {
        case .success(let decoded): body = decoded
        case .failure(let answer): return answer
        }
        switch try context.portal.completeSecondFactorWithPasskey(session: session, credential: body.credential,
                                                                  binding: context.binding, rp: context.relyingParty,
                                                                  ip: context.ip, userAgent: context.userAgent) {
        case .success(let token):
            context.setCookies.append(Cookies.set(Cookies.session, token, secure: context.portal.configuration.secureCookies))
            return .json(Outcome(ok: true, redirect: "/portal/profile"))
        case .failure(let refusal):
            return refused(refusal)
        }
    }

    // MARK: Confirm it's you

    /// Nil when the session entered its password or a passkey in the last five minutes; otherwise where
    /// to send the person (a redirect for pages, a JSON answer naming it for scripts).
    static func requireRecentAuthentication(_ context: CustomerContext, returnTo: String) throws -> Response? {
        let session = context.session
        if context.portal.recentlyAuthenticated(session) { return nil }
        let location = "/portal/reauth?next=" + (returnTo.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        if context.request.sendsJSON {
            return .json(Outcome(ok: false, redirect: location, error: "For your security, confirm it's you first."), status: 401)
        }
        return .redirect(to: location)
    }

    /// "Confirm it's you" asks for the customer's own password or key: an administrator must not try it.
    static func refuseReauthWhileImpersonating(_ context: CustomerContext) throws {
        try context.refuseWhileImpersonating("Confirming the customer's identity", because: "needs the customer's own password or key")
    }

    @Sendable static func showReauth(_ context: inout CustomerContext) throws -> Response {
        try refuseReauthWhileImpersonating(context)
        return try reauthPage(context, next: safeNext(context.request.query["next"]))
    }

    @Sendable static func submitReauth(_ context: inout CustomerContext) throws -> Response {
        try refuseReauthWhileImpersonating(context)
        let account = context.account
        let session = context.session
        let form = try context.form()
        let next = safeNext(form["next"])
        switch try context.portal.reauthenticate(session: session, customerID: account.user.id, password: form["password"] ?? "",
                                                 actor: context.actor) {
        case .success:
            return .redirect(to: next)
        case .failure(.lockedOut(let seconds)):
            var response = try reauthPage(context, next: next, error: LoginThrottle.waitMessage(seconds), status: 429)
            response.headers["Retry-After"] = String(seconds)
            return response
        case .failure(let error):
            return try reauthPage(context, next: next, error: error.message, status: 401)
        }
    }

    @Sendable static func beginReauth(_ context: inout CustomerContext) throws -> Response {
        try refuseReauthWhileImpersonating(context)
        let account = context.account
        return json(try context.portal.passkeyOptions(for: .customer(account.user.id), purpose: .reauth, binding: context.binding,
                                                      rp: context.relyingParty))
    }

    @Sendable static func finishReauth(_ context: inout CustomerContext) throws -> Response {
        try refuseReauthWhileImpersonating(context)
        let account = context.account
        let session = context.session
        let body: FinishBody<AssertionResponse>
        switch finishBody(context, AssertionResponse.self) {
        case .success(let decoded): body = decoded
        case .failure(let answer): return answer
        }
        switch try context.portal.reauthenticateWithPasskey(session: session, user: account.user, credential: body.credential,
                                                            binding: context.binding, rp: context.relyingParty, ip: context.ip) {
        case .success:
            return .json(Outcome(ok: true, redirect: safeNext(context.request.query["next"])))
        case .failure(let refusal):
            return refused(refusal)
        }
    }

    static func reauthPage(_ context: CustomerContext, next: String, error: String? = nil, status: Int = 200) throws -> Response {
        let account = context.account
        let page = ReauthPage(chrome: context.chrome(title: "Confirm it's you", tab: .security), next: next, error: error,
                              passkeyAvailable: try context.portal.hasPasskeys(owner: .customer(account.user.id)))
        return .html(PasskeyView.reauth(page), status: status)
    }

    /// Where "Confirm it's you" may lead back to: a path of the portal, never another site.
    static func safeNext(_ raw: String?) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-#")
        guard let raw, raw.hasPrefix("/portal/"), raw.count <= 200, raw.allSatisfy(allowed.contains),
              !raw.contains("//") else { return "/portal/profile/security" }
        return raw
    }

    // MARK: Helpers

    static func item(_ key: Passkey) -> PasskeyItem {
        let kind = key.backedUp ? "Synced passkey" : key.backupEligible ? "Passkey, not yet synced" : "This device only"
        return PasskeyItem(id: key.id, name: key.name, added: DateText.day(key.createdAt),
                           lastUsed: key.lastUsedAt.map { DateText.day($0) }, kind: kind)
    }

    static func keyID(_ context: some PortalContext) throws -> Int64 {
        guard let id = context.request.pathParameters["id"].flatMap(Int64.init), id > 0 else { throw PortalError.notFound }
        return id
    }

    /// The posted credential, or a JSON 400 (415 for another content type) to answer with.
    static func finishBody<Answer>(_ context: some PortalContext, _ answer: Answer.Type) -> Decoded<FinishBody<Answer>> {
        do {
            return .success(try context.request.json(FinishBody<Answer>.self))
        } catch {
            return .failure(.json(Outcome(ok: false, error: "The browser's answer could not be read. Reload the page and try again."),
                                  status: error.status))
        }
    }

    /// A decoded body, or the answer to give instead.
    enum Decoded<Body> {
        case success(Body)
        case failure(Response)
    }

    static func json(_ bytes: [UInt8]) -> Response {
        Response(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: bytes)
    }

    static func refused(_ refusal: PasskeyRefusal) -> Response {
        var response = Response.json(Outcome(ok: false, error: refusal.message), status: refusal.status)
        if let seconds = refusal.retryAfter { response.headers["Retry-After"] = String(seconds) }
        return response
    }
}
