/// The Profile tab: read-only account information, the Edit Profile form and notification preferences.
public struct ProfilePage: Sendable {
    /// The Edit Profile form's values (what the user typed, when it comes back with an error) and errors.
    public struct EditForm: Sendable {
        public var name: String
        public var phone: String
        public var nameError: String?
        public var phoneError: String?

        public init(name: String, phone: String, nameError: String? = nil, phoneError: String? = nil) {
            self.name = name
            self.phone = phone
            self.nameError = nameError
            self.phoneError = phoneError
        }
    }

    /// The four notification switches; the invoice one exists only when the client has billing.
    public struct Notifications: Sendable {
        public var inApp: Bool
        public var ticketStatusEmail: Bool
        public var ticketReplyEmail: Bool
        public var overdueInvoiceEmail: Bool
        public var billingEnabled: Bool

        public init(inApp: Bool, ticketStatusEmail: Bool, ticketReplyEmail: Bool, overdueInvoiceEmail: Bool, billingEnabled: Bool) {
            self.inApp = inApp
            self.ticketStatusEmail = ticketStatusEmail
            self.ticketReplyEmail = ticketReplyEmail
            self.overdueInvoiceEmail = overdueInvoiceEmail
            self.billingEnabled = billingEnabled
        }
    }

    public var chrome: Chrome
    public var email: String
    public var company: String
    public var title: String?
    public var mobile: String?
    public var form: EditForm
    /// Shown above the Edit Profile form ("Your profile was saved.").
    public var profileMessage: Message?
    public var notifications: Notifications
    public var notificationsMessage: Message?

    public init(chrome: Chrome, email: String, company: String, title: String?, mobile: String?, form: EditForm,
                profileMessage: Message? = nil, notifications: Notifications, notificationsMessage: Message? = nil) {
        self.chrome = chrome
        self.email = email
        self.company = company
        self.title = title
        self.mobile = mobile
        self.form = form
        self.profileMessage = profileMessage
        self.notifications = notifications
        self.notificationsMessage = notificationsMessage
    }
}

/// Renders the Profile tab.
public enum ProfileView {
    public static func render(_ page: ProfilePage) -> HTML {
        Layout.page(page.chrome, content: """
        <div class="panels">
          \(accountInformation(page))
          \(editProfile(page))
          \(notifications(page))
        </div>
        """)
    }

    static func accountInformation(_ page: ProfilePage) -> HTML {
        let title: HTML = page.title.map { "<div class=\"facts__row\"><dt>Title</dt><dd>\($0)</dd></div>" } ?? .empty
        let mobile: HTML = page.mobile.map { "<div class=\"facts__row\"><dt>Mobile</dt><dd>\($0)</dd></div>" } ?? .empty
        return """
        <section class="card" aria-labelledby="account-information">
          <h2 id="account-information" class="card__title">Account Information</h2>
          <dl class="facts">
            <div class="facts__row"><dt>Company</dt><dd>\(page.company)</dd></div>
            \(title)
            \(mobile)
          </dl>
          <p class="card__note">To have any of these values changed, contact your MSP.</p>
        </section>
        """
    }

    static func editProfile(_ page: ProfilePage) -> HTML {
        let csrf = page.chrome.csrfToken ?? ""
        return """
        <section class="card" aria-labelledby="edit-profile">
          <h2 id="edit-profile" class="card__title">Edit Profile</h2>
          \(Form.alert(page.profileMessage))
          <form method="post" action="/portal/profile" novalidate>
            \(Form.csrf(csrf))
            \(Form.field(id: "name", name: "name", label: "Name", value: page.form.name, error: page.form.nameError,
                         required: true, autocomplete: "name", maxLength: 100))
            <div class="field">
              <label class="field__label" for="email">Email</label>
              <input class="field__input" id="email" type="email" value="\(page.email)" readonly aria-describedby="email-hint">
              <p class="field__hint" id="email-hint">Contact support to change your email address</p>
            </div>
            \(Form.field(id: "phone", name: "phone", label: "Phone", type: "tel", value: page.form.phone,
                         error: page.form.phoneError, hint: "Optional. Digits, spaces and + ( ) - . are allowed.",
                         autocomplete: "tel", maxLength: 32))
            <button type="submit" class="button button--primary">Save Changes</button>
          </form>
        </section>
        """
    }

    static func notifications(_ page: ProfilePage) -> HTML {
        let csrf = page.chrome.csrfToken ?? ""
        let n = page.notifications
        let invoice: HTML = HTML.when(n.billingEnabled, Form.checkbox(
            id: "overdue_invoice_email", name: "overdue_invoice_email", label: "Overdue invoice reminders (email)",
            checked: n.overdueInvoiceEmail))
        return """
        <section class="card" aria-labelledby="notifications">
          <h2 id="notifications" class="card__title">Notifications</h2>
          \(Form.alert(page.notificationsMessage))
          <form method="post" action="/portal/profile/notifications">
            \(Form.csrf(csrf))
            <fieldset class="switches">
              <legend class="visually-hidden">Notification preferences</legend>
              \(Form.checkbox(id: "in_app", name: "in_app", label: "In-app notifications", checked: n.inApp))
              \(Form.checkbox(id: "ticket_status_email", name: "ticket_status_email", label: "Ticket status updates (email)", checked: n.ticketStatusEmail))
              \(Form.checkbox(id: "ticket_reply_email", name: "ticket_reply_email", label: "Ticket reply notifications (email)", checked: n.ticketReplyEmail))
              \(invoice)
            </fieldset>
            <button type="submit" class="button button--primary">Save notification preferences</button>
          </form>
        </section>
        """
    }
}
