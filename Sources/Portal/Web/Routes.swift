import HTTP

/// The route table: every page and form of the console, in one place.
enum Routes {
    static func table() -> Router<Route> {
        var router = Router<Route>()
        router.add("GET", "/", Route(access: .anyone) { _ in .redirect(to: "/portal/profile") })
        router.add("GET", "/login", Route(access: .anyone, handle: LoginHandlers.showLogin))
        router.add("POST", "/login", Route(access: .anyone, handle: LoginHandlers.submitLogin))
        router.add("GET", "/login/forgot", Route(access: .anyone, handle: PasswordResetHandlers.showForgot))
        router.add("POST", "/login/forgot", Route(access: .anyone, handle: PasswordResetHandlers.submitForgot))
        router.add("GET", "/login/reset", Route(access: .anyone, handle: PasswordResetHandlers.showReset))
        router.add("POST", "/login/reset", Route(access: .anyone, handle: PasswordResetHandlers.submitReset))
        router.add("POST", "/logout", Route(access: .session, handle: LoginHandlers.logout))
        router.add("GET", "/portal", Route(access: .customer) { _ in .redirect(to: "/portal/profile") })
        router.add("GET", "/portal/profile", Route(access: .customer, handle: ProfileHandlers.show))
        router.add("POST", "/portal/profile", Route(access: .customer, handle: ProfileHandlers.save))
        router.add("POST", "/portal/profile/notifications", Route(access: .customer, handle: ProfileHandlers.saveNotifications))
        router.add("GET", "/portal/profile/security", Route(access: .enrolment, handle: SecurityHandlers.show))
        router.add("POST", "/portal/profile/password", Route(access: .customer, handle: SecurityHandlers.changePassword))
        router.add("GET", "/login/mfa", Route(access: .secondFactor, handle: TwoFactorHandlers.showSecondFactor))
        router.add("POST", "/login/mfa", Route(access: .secondFactor, handle: TwoFactorHandlers.submitSecondFactor))
        router.add("POST", "/portal/profile/security/totp/enable", Route(access: .enrolment, handle: TwoFactorHandlers.enable))
        router.add("POST", "/portal/profile/security/totp/verify", Route(access: .enrolment, handle: TwoFactorHandlers.verify))
        router.add("POST", "/portal/profile/security/totp/disable", Route(access: .customer, handle: TwoFactorHandlers.disable))
        router.add("POST", "/portal/profile/security/recovery-codes/regenerate",
                   Route(access: .customer, handle: TwoFactorHandlers.regenerate))
        router.add("POST", "/portal/profile/security/recovery-codes/saved", Route(access: .enrolment, handle: TwoFactorHandlers.saved))
        // Security keys and passkeys (JSON ceremonies: begin answers the options, finish takes the credential).
        router.add("POST", "/portal/profile/security/passkeys/begin", Route(access: .customer, handle: PasskeyHandlers.beginRegistration))
        router.add("POST", "/portal/profile/security/passkeys/finish", Route(access: .customer, handle: PasskeyHandlers.finishRegistration))
        router.add("POST", "/portal/profile/security/passkeys/{id}/rename", Route(access: .customer, handle: PasskeyHandlers.rename))
        router.add("GET", "/portal/profile/security/passkeys/{id}/delete", Route(access: .customer, handle: PasskeyHandlers.confirmRemoval))
        router.add("POST", "/portal/profile/security/passkeys/{id}/delete", Route(access: .customer, handle: PasskeyHandlers.remove))
        router.add("POST", "/login/passkey/begin", Route(access: .anyone, handle: PasskeyHandlers.beginSignIn))
        router.add("POST", "/login/passkey/finish", Route(access: .anyone, handle: PasskeyHandlers.finishSignIn))
        router.add("POST", "/login/mfa/passkey/begin", Route(access: .secondFactor, handle: PasskeyHandlers.beginSecondFactor))
        router.add("POST", "/login/mfa/passkey/finish", Route(access: .secondFactor, handle: PasskeyHandlers.finishSecondFactor))
        // "Confirm it's you" before sensitive changes (password or passkey within the last 5 minutes).
        router.add("GET", "/portal/reauth", Route(access: .customer, handle: PasskeyHandlers.showReauth))
        router.add("POST", "/portal/reauth", Route(access: .customer, handle: PasskeyHandlers.submitReauth))
        router.add("POST", "/portal/reauth/passkey/begin", Route(access: .customer, handle: PasskeyHandlers.beginReauth))
        router.add("POST", "/portal/reauth/passkey/finish", Route(access: .customer, handle: PasskeyHandlers.finishReauth))
        // The MSP administrator's side (staff sessions only) and the end of "View as customer".
        router.add("GET", "/admin/login", Route(access: .anyone, handle: AdminHandlers.showLogin))
        router.add("POST", "/admin/login", Route(access: .anyone, handle: AdminHandlers.submitLogin))
        router.add("POST", "/admin/logout", Route(access: .staff, handle: AdminHandlers.logout))
        router.add("GET", "/admin", Route(access: .staff, handle: AdminHandlers.clients))
        router.add("GET", "/admin/clients/{id}", Route(access: .staff, handle: AdminHandlers.client))
        router.add("POST", "/admin/clients/{id}/settings", Route(access: .staff, handle: AdminHandlers.saveClientSettings))
        router.add("GET", "/admin/users/{id}", Route(access: .staff, handle: AdminHandlers.user))
        router.add("POST", "/admin/users/{id}/impersonate", Route(access: .staff, handle: AdminHandlers.impersonate))
        router.add("GET", "/admin/audit", Route(access: .staff, handle: AdminHandlers.audit))
        router.add("GET", "/admin/outbox", Route(access: .staff, handle: AdminHandlers.outbox))
        router.add("POST", "/portal/impersonation/end", Route(access: .customer, handle: AdminHandlers.endImpersonation))
        return router
    }
}
