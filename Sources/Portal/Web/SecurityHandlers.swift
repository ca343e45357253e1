import HTTP
import Store
import Templates

/// The Security tab: password, authenticator app, recovery codes.
enum SecurityHandlers {
    @Sendable static func show(_ context: inout CustomerContext) throws -> Response {
        let flash = try context.portal.takeFlash(context.session)
        var view = try SecurityView.Model(context)
        switch flash {
        case .passwordChanged?:
            view.password?.message = Message(.success, "Your password was changed. Your other sessions were signed out.")
        case .authenticatorDisabled?:
            view.authenticator.message = Message(.success, view.recoveryCodes == nil
                ? "The authenticator app is off and your recovery codes were deleted."
                : "The authenticator app is off. Your keys and recovery codes keep working.")
        case .passkeyAdded?:
            view.passkeys?.message = Message(.success, "Your key was added. You can use it to sign in.")
        case .passkeyRenamed?:
            view.passkeys?.message = Message(.success, "The key was renamed.")
        case .sessionsRevoked?:
            view.sessionsMessage = Message(.success, "Signed out. That browser must sign in again.")
        case .passkeyRemoved?:
            view.passkeys?.message = Message(.success, "The key was removed. It can no longer be used to sign in.")
        default:
            break
        }
        return view.response()
    }

    @Sendable static func revokeSession(_ context: inout CustomerContext) throws -> Response {
        let account = context.account
        let session = context.session
        try context.refuseWhileImpersonating("Signing the customer's other sessions out")
        guard let id = context.request.pathParameters["id"].flatMap(Int64.init),
              try context.portal.revokeSession(id: id, customerID: account.user.id, current: session.id, actor: context.actor)
        else { throw PortalError.notFound }
        return .redirect(to: "/portal/profile/security#sessions")
    }

    /// "Sign out of all other sessions?": the sessions that would end, and the button that ends them.
    @Sendable static func confirmRevokeOtherSessions(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Signing the customer's other sessions out")
        let others = try context.portal.signedInSessions(customerID: context.account.user.id, current: context.session.id)
            .filter { !$0.current }
        guard !others.isEmpty else { return .redirect(to: "/portal/profile/security#sessions") }
        let page = ConfirmationPage(
            chrome: context.chrome(title: "Sign out of other sessions", tab: .security),
            question: "Sign out of all other sessions?",
            details: """
            <p>\(others.count == 1 ? "This browser" : "These \(String(others.count)) browsers") will have to sign in again. You stay signed in here.</p>
            <ul class="confirm__list">
              \(HTML.each(others) { session in
                "<li>\(session.device) · \(session.ip.isEmpty ? "Unknown address" : session.ip) · Last active \(DateText.dayAndTime(session.lastSeenAt))</li>"
              })
            </ul>
            """,
            action: "/portal/profile/security/sessions/revoke-others", confirmLabel: "Sign out of other sessions",
            cancel: "/portal/profile/security#sessions")
        return .html(ConfirmationView.render(page))
    }

    @Sendable static func revokeOtherSessions(_ context: inout CustomerContext) throws -> Response {
        let account = context.account
        let session = context.session
        try context.refuseWhileImpersonating("Signing the customer's other sessions out")
        _ = try context.portal.revokeOtherSessions(customerID: account.user.id, current: session.id, actor: context.actor)
        return .redirect(to: "/portal/profile/security#sessions")
    }

    /// "Stay signed in": the page's idle warning asks the server to start the idle time-out again.
    @Sendable static func keepAlive(_ context: inout SessionContext) throws -> Response {
        try context.portal.touchSession(context.session)
        return Response(status: 204)
    }

    @Sendable static func changePassword(_ context: inout CustomerContext) throws -> Response {
        let account = context.account
        let session = context.session
        try context.refuseWhileImpersonating("Changing the password")
        let form = try context.form()
        let result = try context.portal.changePassword(
            customerID: account.user.id, sessionID: session.id, current: form["current_password"] ?? "",
            new: form["new_password"] ?? "", confirm: form["confirm_password"] ?? "", actor: context.actor)
        switch result {
        case .success:
            return .redirect(to: "/portal/profile/security")
        case .failure(let errors):
            var view = try SecurityView.Model(context)
            view.password?.open = true
            view.password?.currentError = errors.current
            view.password?.newError = errors.new
            view.password?.confirmError = errors.confirm
            view.password?.message = Message(.error, "Your password was not changed. Check the fields marked below.")
            return view.response(status: 422)
        }
    }
}

extension SecurityView {
    /// The Security tab's view model as the account stands, for handlers to adjust before rendering.
    struct Model {
        let context: CustomerContext
        var password: SecurityPage.PasswordSection?
        var authenticator: SecurityPage.AuthenticatorSection
        var recoveryCodes: SecurityPage.RecoveryCodesSection?
        var passkeys: PasskeysSection?
        var activity = ActivitySection()
        var sessions: [SessionItem] = []
        var sessionsMessage: Message?
        var message: Message?
        var singleSignOnProvider: String?

        init(_ context: CustomerContext) throws {
            let account = context.account
            let status = try context.portal.twoFactorStatus(customerID: account.user.id)
            self.context = context
            password = account.client.ssoOnly ? nil : SecurityPage.PasswordSection()
            password?.lastChanged = try context.portal.passwordChangedAt(customerID: account.user.id).map { DateText.dayAndTime($0) }
            authenticator = SecurityPage.AuthenticatorSection(enabled: status.authenticatorEnabled)
            recoveryCodes = status.hasSecondFactor
                ? SecurityPage.RecoveryCodesSection(remaining: status.recoveryCodesRemaining,
                                                    lowWarning: status.recoveryCodesRemaining <= RecoveryCodes.lowWarning)
                : nil
            passkeys = PasskeysSection(keys: try context.portal.passkeys(owner: .customer(account.user.id)).map(PasskeyHandlers.item))
            sessions = try context.portal.signedInSessions(customerID: account.user.id, current: context.session.id).map {
                SessionItem(id: $0.id, device: $0.device, ip: $0.ip, started: DateText.dayAndTime($0.createdAt),
                            lastActive: DateText.dayAndTime($0.lastSeenAt), current: $0.current)
            }
            activity = try Self.activity(context)
            singleSignOnProvider = try context.portal.linkedProviderName(customerID: account.user.id)
            if context.impersonator != nil {
                message = Message(.info, "While an administrator views this account, its password, two-factor authentication, recovery codes, passkeys and signed-in sessions cannot be changed: only \(account.user.name) can change them.")
            }
        }

        /// Recent activity: the newest lines, or as many as `?activity=N` asks for (a number from 10 to
        /// the most the page shows; anything else, or nothing, is the first page, and more is the most).
        static func activity(_ context: CustomerContext) throws -> ActivitySection {
            let asked = context.request.query["activity"].flatMap { Int($0) } ?? Portal.activityPageSize
            let limit = min(max(Portal.activityPageSize, asked), Portal.activityMaximum)
            let page = try context.portal.recentActivity(customerID: context.account.user.id, limit: limit)
            let lines = page.items.map { item in
                let (day, time) = DateText.dayAndTimeOfDay(item.at)
                return ActivityLine(day: day, time: time, text: item.text, count: item.count, countIsAtLeast: item.countIsAtLeast,
                                    source: item.source, warning: item.warning.map(Self.warning))
            }
            let more = page.more && limit < Portal.activityMaximum
            return ActivitySection(lines: lines,
                                   moreHref: more ? "/portal/profile/security?activity=\(limit + Portal.activityPageSize)#activity" : nil,
                                   olderBeyondMaximum: page.more && !more)
        }

        static func warning(_ warning: ActivityWarning) -> ActivityLine.Warning {
            let strength: ActivityLine.Warning.Strength
            switch warning.strength {
            case .strong: strength = .strong
            case .signedInAfter: strength = .signedInAfter
            case .passwordChangedSince: strength = .passwordChangedSince
            }
            return ActivityLine.Warning(strength: strength, provider: warning.provider,
                                        secondStep: warning.passkey ? "a refused security key or passkey" : "a wrong code")
        }

        func response(status: Int = 200) -> Response {
            var page = SecurityPage(chrome: context.chrome(title: "Security", tab: .security), password: password,
                                    authenticator: authenticator, recoveryCodes: recoveryCodes, passkeys: passkeys,
                                    enrolmentRequired: context.session.stage == .enrolment, message: message)
            page.activity = activity
            page.sessions = sessions
            page.sessionsMessage = sessionsMessage
            page.singleSignOnProvider = singleSignOnProvider
            return .html(SecurityView.render(page), status: status)
        }
    }
}
