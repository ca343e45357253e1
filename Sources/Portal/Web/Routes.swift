import HTTP

/// The route table: every page and form of the console, in one place. Every route that can check or
/// set a password runs on the lane for slow work (`lane: .slowWork`), so no connection thread ever waits for PBKDF2.
enum Routes {
    static func table() -> Router<Route> {
        var router = Router<Route>()
        router.add("GET", "/", .anyone { _ in .redirect(to: "/portal/profile") })
        router.add("GET", "/login", .anyone(LoginHandlers.showLogin))
        router.add("POST", "/login", .anyone(lane: .slowWorkWithField("password"), LoginHandlers.submitLogin))
        // Single sign-on: out to the provider and back (both may wait on it, so on the slow lane).
        router.add("GET", "/login/sso/start", .anyone(lane: .slowWork, SingleSignOnHandlers.start))
        router.add("GET", "/login/sso/callback", .anyone(lane: .slowWork, SingleSignOnHandlers.callback))
        router.add("GET", "/login/forgot", .anyone(PasswordResetHandlers.showForgot))
        router.add("POST", "/login/forgot", .anyone(PasswordResetHandlers.submitForgot))
        router.add("GET", "/login/reset", .anyone(PasswordResetHandlers.showReset))
        router.add("POST", "/login/reset", .anyone(lane: .slowWork, PasswordResetHandlers.submitReset))
        router.add("POST", "/logout", .session(LoginHandlers.logout))
        router.add("GET", "/portal", .customer { _ in .redirect(to: "/portal/profile") })
        router.add("GET", "/portal/profile", .customer(ProfileHandlers.show))
        router.add("POST", "/portal/profile", .customer(ProfileHandlers.save))
        router.add("POST", "/portal/profile/notifications", .customer(ProfileHandlers.saveNotifications))
        router.add("GET", "/portal/profile/security", .enrolment(SecurityHandlers.show))
        router.add("POST", "/portal/profile/password", .customer(lane: .slowWork, SecurityHandlers.changePassword))
        router.add("GET", "/login/mfa", .secondFactor(TwoFactorHandlers.showSecondFactor))
        router.add("POST", "/login/mfa", .secondFactor(TwoFactorHandlers.submitSecondFactor))
        // The two secrets shown once: each POST that makes one answers 303 to a GET page showing what is
        // pending in the session (SPEC §3), so a reload or Back never posts again.
        router.add("POST", "/portal/profile/security/totp/enable", .enrolment(TwoFactorHandlers.enable))
        router.add("GET", "/portal/profile/security/totp/setup", .enrolment(TwoFactorHandlers.showSetup))
        router.add("POST", "/portal/profile/security/totp/verify", .enrolment(TwoFactorHandlers.verify))
        router.add("POST", "/portal/profile/security/totp/cancel", .enrolment(TwoFactorHandlers.cancel))
        router.add("GET", "/portal/profile/security/totp/disable", .customer(TwoFactorHandlers.confirmDisable))
        router.add("POST", "/portal/profile/security/totp/disable", .customer(lane: .slowWork, TwoFactorHandlers.disable))
        router.add("POST", "/portal/profile/security/recovery-codes/regenerate",
                   .customer(lane: .slowWork, TwoFactorHandlers.regenerate))
        router.add("GET", "/portal/profile/security/recovery-codes/new", .enrolment(TwoFactorHandlers.showNewCodes))
        router.add("POST", "/portal/profile/security/recovery-codes/saved", .enrolment(TwoFactorHandlers.saved))
        // Signed-in sessions, and the idle warning's "Stay signed in".
        router.add("POST", "/portal/profile/security/sessions/{id}/revoke", .customer(SecurityHandlers.revokeSession))
        router.add("GET", "/portal/profile/security/sessions/revoke-others", .customer(SecurityHandlers.confirmRevokeOtherSessions))
        router.add("POST", "/portal/profile/security/sessions/revoke-others", .customer(SecurityHandlers.revokeOtherSessions))
        router.add("POST", "/portal/session/keepalive", .session(SecurityHandlers.keepAlive))
        // Administrator access, where the client's customers approve administrator views (issue 20): only
        // the account's owner answers a request, grants access ahead, or revokes it.
        router.add("POST", "/portal/profile/security/administrator-access/requests/{id}/allow", .customer(SecurityHandlers.allowView))
        router.add("POST", "/portal/profile/security/administrator-access/requests/{id}/decline", .customer(SecurityHandlers.declineView))
        router.add("POST", "/portal/profile/security/administrator-access/grant", .customer(SecurityHandlers.grantView))
        router.add("POST", "/portal/profile/security/administrator-access/{id}/revoke", .customer(SecurityHandlers.revokeView))
        // Security keys and passkeys (JSON ceremonies: begin answers the options, finish takes the credential).
        router.add("POST", "/portal/profile/security/passkeys/begin", .enrolment(PasskeyHandlers.beginRegistration))
        router.add("POST", "/portal/profile/security/passkeys/finish", .enrolment(PasskeyHandlers.finishRegistration))
        router.add("POST", "/portal/profile/security/passkeys/{id}/rename", .customer(PasskeyHandlers.rename))
        router.add("GET", "/portal/profile/security/passkeys/{id}/delete", .customer(PasskeyHandlers.confirmRemoval))
        router.add("POST", "/portal/profile/security/passkeys/{id}/delete", .customer(PasskeyHandlers.remove))
        router.add("POST", "/login/passkey/begin", .anyone(PasskeyHandlers.beginSignIn))
        router.add("POST", "/login/passkey/finish", .anyone(PasskeyHandlers.finishSignIn))
        router.add("POST", "/login/mfa/passkey/begin", .secondFactor(PasskeyHandlers.beginSecondFactor))
        router.add("POST", "/login/mfa/passkey/finish", .secondFactor(PasskeyHandlers.finishSecondFactor))
        // "Confirm it's you" before sensitive changes (password or passkey within the last 5 minutes).
        router.add("GET", "/portal/reauth", .enrolment(PasskeyHandlers.showReauth))
        router.add("POST", "/portal/reauth", .enrolment(lane: .slowWork, PasskeyHandlers.submitReauth))
        router.add("POST", "/portal/reauth/passkey/begin", .customer(PasskeyHandlers.beginReauth))
        router.add("POST", "/portal/reauth/passkey/finish", .customer(PasskeyHandlers.finishReauth))
        // The MSP administrator's side (staff sessions only) and the end of "View as customer".
        router.add("GET", "/admin/login", .anyone(side: .staff, AdminHandlers.showLogin))
        router.add("GET", "/admin/login/sso/start", .anyone(lane: .slowWork, side: .staff, SingleSignOnHandlers.startStaff))
        router.add("POST", "/admin/login", .anyone(lane: .slowWork, side: .staff, AdminHandlers.submitLogin))
        router.add("POST", "/admin/logout", .staff(AdminHandlers.logout))
        router.add("GET", "/admin", .staff(AdminHandlers.clients))
        router.add("GET", "/admin/clients/{id}", .staff(AdminHandlers.client))
        router.add("POST", "/admin/clients/{id}/settings", .staff(AdminHandlers.saveClientSettings))
        router.add("POST", "/admin/clients/{id}/users", .staff(AdminHandlers.addUser))
        router.add("POST", "/admin/clients/{id}/link", .staff(AdminHandlers.linkIdentity))
        // A client's identity provider: set or changed (checks the issuer's discovery document: slow work), or removed.
        router.add("POST", "/admin/clients/{id}/sso", .staff(lane: .slowWork, AdminHandlers.saveSingleSignOn))
        router.add("GET", "/admin/clients/{id}/sso/remove", .staff(AdminHandlers.confirmSingleSignOnRemoval))
        router.add("POST", "/admin/clients/{id}/sso/remove", .staff(AdminHandlers.removeSingleSignOn))
        router.add("GET", "/admin/users/{id}", .staff(AdminHandlers.user))
        // Destructive actions: the GET is the confirmation page, only its POST acts.
        router.add("GET", "/admin/users/{id}/disable", .staff(AdminHandlers.confirmDisable))
        router.add("POST", "/admin/users/{id}/disable", .staff(AdminHandlers.disableUser))
        router.add("GET", "/admin/users/{id}/sign-out", .staff(AdminHandlers.confirmSignOut))
        router.add("POST", "/admin/users/{id}/sign-out", .staff(AdminHandlers.endSessions))
        router.add("POST", "/admin/users/{id}/enable", .staff(AdminHandlers.enableUser))
        // The resets a client may hold behind a verified caller: the GET confirms (and offers break-glass,
        // a reason required, when the caller is not verified), only the POST acts.
        router.add("GET", "/admin/users/{id}/unlock", .staff(AdminHandlers.confirmUnlock))
        router.add("POST", "/admin/users/{id}/unlock", .staff(AdminHandlers.unlockUser))
        router.add("GET", "/admin/users/{id}/reset-2fa", .staff(AdminHandlers.confirmSecondFactorReset))
        router.add("POST", "/admin/users/{id}/reset-2fa", .staff(AdminHandlers.resetSecondFactor))
        router.add("GET", "/admin/users/{id}/resend-invitation", .staff(AdminHandlers.confirmResendInvitation))
        router.add("POST", "/admin/users/{id}/resend-invitation", .staff(AdminHandlers.resendInvitation))
        // "Verify the caller": a code mailed to the user, then what the caller reads back.
        router.add("POST", "/admin/users/{id}/verify-caller", .staff(AdminHandlers.sendCallerCode))
        router.add("POST", "/admin/users/{id}/verify-caller/check", .staff(AdminHandlers.checkCallerCode))
        router.add("POST", "/admin/users/{id}/impersonate", .staff(AdminHandlers.impersonate))
        router.add("POST", "/admin/users/{id}/open-view", .staff(AdminHandlers.openAllowedView))
        router.add("GET", "/admin/security", .staff(AdminHandlers.security))
        router.add("POST", "/admin/security/totp/enable", .staff(AdminHandlers.enableAuthenticator))
        router.add("GET", "/admin/security/totp/setup", .staff(AdminHandlers.showAuthenticatorSetup))
        router.add("POST", "/admin/security/totp/verify", .staff(AdminHandlers.verifyAuthenticator))
        router.add("POST", "/admin/security/totp/cancel", .staff(AdminHandlers.cancelAuthenticatorSetup))
        router.add("GET", "/admin/security/totp/disable", .staff(AdminHandlers.confirmDisableAuthenticator))
        router.add("POST", "/admin/security/totp/disable", .staff(lane: .slowWork, AdminHandlers.disableAuthenticator))
        router.add("POST", "/admin/security/passkeys/begin", .staff(AdminHandlers.beginKeyRegistration))
        router.add("POST", "/admin/security/passkeys/finish", .staff(AdminHandlers.finishKeyRegistration))
        router.add("POST", "/admin/security/passkeys/{id}/rename", .staff(AdminHandlers.renameKey))
        router.add("GET", "/admin/security/passkeys/{id}/delete", .staff(AdminHandlers.confirmKeyRemoval))
        router.add("POST", "/admin/security/passkeys/{id}/delete", .staff(lane: .slowWork, AdminHandlers.removeKey))
        router.add("POST", "/admin/login/passkey/begin", .anyone(side: .staff, AdminHandlers.beginKeySignIn))
        router.add("POST", "/admin/login/passkey/finish", .anyone(side: .staff, AdminHandlers.finishKeySignIn))
        router.add("GET", "/admin/audit", .staff(AdminHandlers.audit))
        router.add("GET", "/admin/outbox", .staff(AdminHandlers.outbox))
        router.add("POST", "/admin/outbox/{id}/show-link", .staff(AdminHandlers.showOutboxLink))
        router.add("POST", "/portal/impersonation/end", .customer(AdminHandlers.endImpersonation))
        return router
    }
}
