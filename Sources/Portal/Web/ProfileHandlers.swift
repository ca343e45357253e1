import HTTP
import Store
import Templates

/// The Profile tab: name and phone, notification preferences.
enum ProfileHandlers {
    @Sendable static func show(_ context: inout CustomerContext) throws -> Response {
        let account = context.account
        let flash = try context.portal.takeFlash(context.session)
        let form = ProfilePage.EditForm(name: account.user.name, phone: account.user.phone)
        return try render(context, account: account, form: form,
                          profileMessage: flash == .profileSaved ? Message(.success, "Your profile was saved.") : nil,
                          notificationsMessage: flash == .notificationsSaved ? Message(.success, "Your notification preferences were saved.") : nil)
    }

    @Sendable static func save(_ context: inout CustomerContext) throws -> Response {
        let account = context.account
        let form = try context.form()
        let name = form["name"] ?? ""
        let phone = form["phone"] ?? ""
        switch try context.portal.updateProfile(customerID: account.user.id, name: name, phone: phone, actor: context.actor) {
        case .success:
            // To the card whose confirmation it is: on a phone the page would otherwise open a screen above it.
            return .redirect(to: "/portal/profile#edit-profile")
        case .failure(let errors):
            let edit = ProfilePage.EditForm(name: name, phone: phone, nameError: errors.name, phoneError: errors.phone)
            return try render(context, account: account, form: edit,
                              profileMessage: Message(.error, "Your profile was not saved. Check the fields marked below."), status: 422)
        }
    }

    @Sendable static func saveNotifications(_ context: inout CustomerContext) throws -> Response {
        let account = context.account
        let form = try context.form()
        let wanted = NotificationPreferences(
            inApp: form.contains("in_app"), ticketStatusEmail: form.contains("ticket_status_email"),
            ticketReplyEmail: form.contains("ticket_reply_email"), overdueInvoiceEmail: form.contains("overdue_invoice_email"))
        try context.portal.updateNotificationPreferences(customerID: account.user.id, wanted,
                                                         billingEnabled: account.client.billingEnabled, actor: context.actor)
        return .redirect(to: "/portal/profile#notifications")
    }

    static func render(_ context: CustomerContext, account: CustomerAccount, form: ProfilePage.EditForm,
                       profileMessage: Message? = nil, notificationsMessage: Message? = nil, status: Int = 200) throws -> Response {
        let prefs = try context.portal.notificationPreferences(customerID: account.user.id)
        let page = ProfilePage(
            chrome: context.chrome(title: "Profile", tab: .profile), email: account.user.email, company: account.client.name,
            title: account.user.title, mobile: account.user.mobile, form: form, profileMessage: profileMessage,
            notifications: .init(inApp: prefs.inApp, ticketStatusEmail: prefs.ticketStatusEmail,
                                 ticketReplyEmail: prefs.ticketReplyEmail, overdueInvoiceEmail: prefs.overdueInvoiceEmail,
                                 billingEnabled: account.client.billingEnabled),
            notificationsMessage: notificationsMessage)
        return .html(ProfileView.render(page), status: status)
    }
}
