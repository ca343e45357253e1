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
        case .viewAllowed?:
            view.administratorAccess?.message = Message(.success, "Allowed for 30 minutes. The administrator can now open a view of your account; Revoke now ends it at once.")
        case .viewDeclined?:
            view.administratorAccess?.message = Message(.success, "Declined. The administrator cannot view your account.")
        case .viewGranted?:
            view.administratorAccess?.message = Message(.success, "Your IT provider can view your account until the time shown. Revoke now ends it at once.")
        case .viewRevoked?:
            view.administratorAccess?.message = Message(.success, "Revoked. A view in progress ends on its next page.")
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

    // MARK: Administrator access (the client's customers approve administrator views)

    @Sendable static func allowView(_ context: inout CustomerContext) throws -> Response { try answerView(&context, allow: true) }
    @Sendable static func declineView(_ context: inout CustomerContext) throws -> Response { try answerView(&context, allow: false) }

    static func answerView(_ context: inout CustomerContext, allow: Bool) throws -> Response {
        guard let id = context.request.pathParameters["id"].flatMap(Int64.init),
              let change = try context.portal.answerViewRequest(id: id, allow: allow, actor: context.actor) else { throw PortalError.notFound }
        return try accessAnswer(context, change)
    }

    /// "Let my IT provider view my account for 1 hour / 1 day" (field `duration`: `1h` or `1d`).
    @Sendable static func grantView(_ context: inout CustomerContext) throws -> Response {
        let duration = try context.form()["duration"] ?? ""
        return try accessAnswer(context, try context.portal.grantViewAccess(duration: duration, actor: context.actor), status: 422)
    }

    @Sendable static func revokeView(_ context: inout CustomerContext) throws -> Response {
        guard let id = context.request.pathParameters["id"].flatMap(Int64.init),
              let change = try context.portal.revokeViewAccess(id: id, actor: context.actor) else { throw PortalError.notFound }
        return try accessAnswer(context, change)
    }

    /// Done: back to the card (its confirmation is the session's flash). Refused: the tab with why, in the card.
    static func accessAnswer(_ context: CustomerContext, _ change: ViewConsentChange, status: Int = 409) throws -> Response {
        switch change {
        case .done:
            return .redirect(to: "/portal/profile/security#administrator-access")
        case .refused(let why):
            var view = try SecurityView.Model(context)
            view.administratorAccess?.message = Message(.error, why)
            return view.response(status: status)
        }
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
        var administratorAccess: SecurityPage.AdministratorAccessSection?

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
            if account.client.viewConsent {
                administratorAccess = try Self.administratorAccess(context)
            }
            if context.impersonator != nil {
                message = Message(.info, "While an administrator views this account, its password, two-factor authentication, recovery codes, passkeys and signed-in sessions cannot be changed: only \(account.user.name) can change them.")
            }
        }

        /// The requests waiting and the access given, as `viewConsents` has them (only where the client's
        /// customers approve administrator views: no query otherwise).
        static func administratorAccess(_ context: CustomerContext) throws -> SecurityPage.AdministratorAccessSection {
            let consents = try context.portal.viewConsents(customerID: context.account.user.id)
            let viewing = context.session.impersonatorStaffID
            return SecurityPage.AdministratorAccessSection(
                msp: context.portal.configuration.issuer,
                requests: consents.filter { $0.state == .requested }.map { request in
                    .init(id: request.id, staffName: request.staffName ?? "An administrator", reason: request.reason,
                          askedAt: DateText.dayAndTime(request.createdAt), expires: DateText.dayAndTime(request.expiresAt))
                },
                access: consents.filter { $0.state == .allowed }.map { consent in
                    .init(id: consent.id, staffName: consent.kind == .grant ? nil : consent.staffName ?? "An administrator",
                          reason: consent.kind == .grant ? nil : consent.reason, until: DateText.dayAndTime(consent.liveUntil),
                          viewOpen: consent.openedAt != nil || (consent.kind == .request && viewing != nil && viewing == consent.staffID))
                })
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
            page.administratorAccess = administratorAccess
            return .html(SecurityView.render(page), status: status)
        }
    }
}
