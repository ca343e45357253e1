import Portal
import Testing
import TestSupport

@Suite struct ProfileTabTests {
    @Test("The Profile tab shows the header, account information, edit form and notifications")
    func everyElement() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let page = try console.signedIn().get("/portal/profile")
        #expect(page.status == 200)
        #expect(page.header("Cache-Control") == "no-store")
        let html = page.text
        for expected in ["Jane Doe", "jane@northwind.example", "<div class=\"avatar\" aria-hidden=\"true\">J</div>",
                         "Account Information", "<dt>Company</dt><dd>Northwind Traders</dd>",
                         "<dt>Title</dt><dd>Office Manager</dd>", "<dt>Mobile</dt><dd>+1 555 0199</dd>",
                         "To have any of these values changed, contact your MSP.", "Edit Profile",
                         "Contact support to change your email address", "Save Changes", "In-app notifications",
                         "Ticket status updates (email)", "Ticket reply notifications (email)",
                         "Overdue invoice reminders (email)", "Save notification preferences", "Sign Out",
                         "aria-current=\"page\">Profile</a>", "href=\"/portal/profile/security\""] {
            #expect(html.contains(expected), "missing: \(expected)")
        }
        #expect(html.contains("id=\"email\" type=\"email\" value=\"jane@northwind.example\" readonly"))
    }

    @Test("Title and Mobile are left out when not set; the invoice switch only with billing")
    func optionalParts() throws {
        let console = try TestConsole()
        _ = try console.portal.addClient(name: "Plain Co", settings: ClientSettings(billingEnabled: false))
        _ = try console.portal.addCustomer(NewCustomer(client: "Plain Co", email: "sam@plain.example", name: "sam lee",
                                                       password: TestConsole.password))
        let html = try console.signedIn("sam@plain.example").get("/portal/profile").text
        #expect(!html.contains("<dt>Title</dt>"))
        #expect(!html.contains("<dt>Mobile</dt>"))
        #expect(!html.contains("Overdue invoice reminders"))
        #expect(html.contains("aria-hidden=\"true\">S</div>"))
    }

    @Test("Saving name and phone trims them, confirms, and shows the new values")
    func saveProfile() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let saved = try browser.submit("/portal/profile", from: "/portal/profile", [("name", "  Jane Q. Doe "), ("phone", " +44 20 7946 0000 ")])
        #expect(saved.status == 303)
        #expect(saved.header("Location") == "/portal/profile#edit-profile")
        let page = try browser.get("/portal/profile").text
        #expect(page.contains("Your profile was saved."))
        #expect(page.contains("value=\"Jane Q. Doe\""))
        #expect(page.contains("value=\"+44 20 7946 0000\""))
        #expect(!(try browser.get("/portal/profile").text.contains("Your profile was saved.")), "the confirmation shows once")
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'profile_updated'") == 1)
    }

    @Test("A refused form comes back with the input and the error beside the field, and saves nothing",
          arguments: [("", "+1 555 0100", "Enter your name."), ("Jane", "call me maybe", "Use digits, spaces and + ( ) - . only."),
                      (String(repeating: "x", count: 101), "", "Use at most 100 characters."), ("Jane", "12", "at least 5 digits")])
    func refusedProfile(name: String, phone: String, message: String) throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let response = try browser.submit("/portal/profile", from: "/portal/profile", [("name", name), ("phone", phone)])
        #expect(response.status == 422)
        #expect(response.text.contains(message))
        #expect(response.text.contains("aria-invalid=\"true\""))
        #expect(response.text.contains("value=\"\(phone)\""), "the input comes back as typed")
        #expect(try console.count("SELECT count(*) AS n FROM customer_users WHERE name = 'Jane Doe' AND phone = '+1 555 0100'") == 1)
    }

    @Test("Markup typed into the name is shown as text, never as markup")
    func nameIsEscaped() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        _ = try browser.submit("/portal/profile", from: "/portal/profile", [("name", "<script>alert(1)</script>"), ("phone", "")])
        let html = try browser.get("/portal/profile").text
        #expect(!html.contains("<script>alert(1)</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test("Notification switches are saved; the invoice setting is kept when billing is off")
    func notifications() throws {
        let console = try TestConsole()
        try console.seedNorthwind(billing: true)
        let browser = try console.signedIn()
        let saved = try browser.submit("/portal/profile/notifications", from: "/portal/profile",
                                       [("in_app", "on"), ("ticket_reply_email", "on")])
        #expect(saved.status == 303)
        let html = try browser.get("/portal/profile").text
        #expect(html.contains("Your notification preferences were saved."))
        #expect(html.contains("id=\"in_app\" name=\"in_app\" value=\"on\" checked"))
        #expect(html.contains("id=\"ticket_status_email\" name=\"ticket_status_email\" value=\"on\">"))
        #expect(html.contains("id=\"ticket_reply_email\" name=\"ticket_reply_email\" value=\"on\" checked"))
        #expect(html.contains("id=\"overdue_invoice_email\" name=\"overdue_invoice_email\" value=\"on\">"))

        _ = try browser.submit("/portal/profile/notifications", from: "/portal/profile", [("overdue_invoice_email", "on")])
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(billingEnabled: false))
        _ = try browser.submit("/portal/profile/notifications", from: "/portal/profile", [("in_app", "on")])
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(billingEnabled: true))
        let back = try browser.get("/portal/profile").text
        #expect(back.contains("id=\"overdue_invoice_email\" name=\"overdue_invoice_email\" value=\"on\" checked"),
                "saving without billing did not switch invoice reminders off")
    }
}
