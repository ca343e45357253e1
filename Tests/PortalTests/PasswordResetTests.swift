import Foundation
import Portal
import Testing
import TestSupport

extension TestConsole {
    /// Asks for a reset link the way a person does and returns the response to the POST.
    func requestReset(_ email: String, browser: HTTPClient? = nil) throws -> HTTPResponse {
        let browser = browser ?? self.browser()
        return try browser.submit("/login/forgot", from: "/login/forgot", [("email", email)])
    }

    /// Staff add Pat Lee to Northwind through the client's page, which mails Pat an invitation.
    func invitePat(_ staff: HTTPClient) throws {
        let clientID = try count("SELECT id AS n FROM clients")
        _ = try staff.submit("/admin/clients/\(clientID)/users", from: "/admin/clients/\(clientID)",
                             [("name", "Pat Lee"), ("email", "pat@northwind.example"), ("phone", "")])
    }

    /// The link in the newest invitation mailed to this address.
    func invitationLink(for email: String) throws -> String? {
        try portal.outboxMessages().first { $0.recipient == email }
            .flatMap { $0.body.captures("(http://localhost:\\d+/login/reset\\?token=[A-Za-z0-9_-]+)").first }
    }

    /// The reset link in the newest outbox message to this address.
    func resetLink(for email: String) throws -> String? {
        try portal.outboxMessages().first { $0.recipient == email && $0.kind == "password_reset" }
            .flatMap { $0.body.captures("(http://localhost:\\d+/login/reset\\?token=[A-Za-z0-9_-]+)").first }
    }

    /// The path and query of a link, for the test client.
    static func target(of link: String) -> String {
        String(link[link.range(of: "/login/reset")!.lowerBound...])
    }

    func setPassword(via link: String, to password: String, confirm: String? = nil, browser: HTTPClient? = nil) throws -> HTTPResponse {
        let browser = browser ?? self.browser()
        let form = try browser.get(Self.target(of: link))
        guard form.status == 200 else { return form }
        let token = try #require(link.captures("token=([A-Za-z0-9_-]+)").first)
        return try browser.post("/login/reset", form: [("csrf_token", try browser.csrfToken(from: form)), ("token", token),
                                                       ("new_password", password), ("confirm_password", confirm ?? password)])
    }
}

@Suite struct PasswordResetTests {
    @Test("Forgot password answers the same for known and unknown addresses; only a real account gets a link")
    func noEnumeration() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let known = try console.requestReset("jane@northwind.example")
        let unknown = try console.requestReset("nobody@northwind.example")
        #expect(known.status == 303)
        #expect(unknown.status == 303)
        #expect(known.header("Location") == unknown.header("Location"))
        let page = try console.browser().get("/login/forgot?sent=1")
        #expect(page.text.contains("If an account uses that address, a link to reset its password is on its way."))
        let messages = try console.portal.outboxMessages()
        #expect(messages.count == 1)
        #expect(messages.first?.recipient == "jane@northwind.example")
        #expect(messages.first?.status == .held, "no --smtp: the message is kept for staff")
        #expect(try console.browser().get("/login").text.contains("href=\"/login/forgot\">Forgot password?</a>"))
    }

    @Test("The emailed link sets a new password once, signs every session out, and mails a notice")
    func resetFlow() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let signedIn = try console.signedIn()
        _ = try console.requestReset("jane@northwind.example")
        let link = try #require(try console.resetLink(for: "jane@northwind.example"))
        #expect(link.hasPrefix("http://localhost:\(console.port)/login/reset?token="), "the link uses the console's origin")
        let token = try #require(link.captures("token=([A-Za-z0-9_-]+)").first)
        #expect(token.count == 43, "256 bits")
        let done = try console.setPassword(via: link, to: "a fresh passphrase 7")
        #expect(done.status == 303)
        #expect(done.header("Location") == "/login?reset=1")
        #expect(try console.browser().get("/login?reset=1").text.contains("Your password was reset."))
        #expect(try signedIn.get("/portal/profile").status == 303, "every session was signed out")
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).status == 401)
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: "a fresh passphrase 7").status == 303)
        let again = try console.browser().get(TestConsole.target(of: link))
        #expect(again.status == 410, "a link works once")
        #expect(again.text.contains("This link no longer works"))
        #expect(try console.portal.outboxMessages().contains { $0.subject == "Your ClientOne password was changed" })
    }

    @Test("Reset tokens and outbox bodies are not readable from the database file")
    func tokensAtRest() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let token = try #require(try console.resetLink(for: "jane@northwind.example")?.captures("token=([A-Za-z0-9_-]+)").first)
        let files = ["console.db", "console.db-wal"].compactMap { try? Data(contentsOf: URL(fileURLWithPath: console.directory.file($0))) }
        #expect(files.allSatisfy { $0.range(of: Data(token.utf8)) == nil })
    }

    @Test("A link expires after 30 minutes, and a newer link or a password change replaces it")
    func linkLifetime() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let first = try #require(try console.resetLink(for: "jane@northwind.example"))
        console.clock.advance(by: 31 * 60)
        #expect(try console.browser().get(TestConsole.target(of: first)).status == 410)

        _ = try console.requestReset("jane@northwind.example")
        let second = try #require(try console.resetLink(for: "jane@northwind.example"))
        _ = try console.requestReset("jane@northwind.example")
        let third = try #require(try console.resetLink(for: "jane@northwind.example"))
        #expect(second != third)
        #expect(try console.browser().get(TestConsole.target(of: second)).status == 410, "the newer link replaced it")
        #expect(try console.browser().get(TestConsole.target(of: third)).status == 200)

        let browser = try console.signedIn()
        let changed = try PasswordChangeTests.change(browser, current: TestConsole.password, new: "another passphrase 9",
                                                     confirm: "another passphrase 9")
        #expect(changed.status == 303)
        #expect(try console.browser().get(TestConsole.target(of: third)).status == 410, "a password change ends pending links")
    }

    @Test("The new password follows the same rules; a refused one keeps the link usable")
    func rules() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let link = try #require(try console.resetLink(for: "jane@northwind.example"))
        let short = try console.setPassword(via: link, to: "short")
        #expect(short.status == 422)
        #expect(short.text.contains("Use at least 8 characters."))
        let common = try console.setPassword(via: link, to: "Password1")
        #expect(common.text.contains("one of the most common passwords"))
        let mismatch = try console.setPassword(via: link, to: "good passphrase 1", confirm: "good passphrase 2")
        #expect(mismatch.text.contains("The new passwords don&#39;t match."))
        #expect(try console.setPassword(via: link, to: "good passphrase 1").status == 303)
    }

    @Test("SSO-only, disabled and portal-off accounts get no reset mail, and the page says the same")
    func noMailForPasswordlessAccounts() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.addClient(name: "Contoso", settings: ClientSettings(ssoOnly: true))
        _ = try console.portal.addCustomer(NewCustomer(client: "Contoso", email: "alex@contoso.example", name: "Alex"))
        let response = try console.requestReset("alex@contoso.example")
        #expect(response.header("Location") == "/login/forgot?sent=1")
        try console.sql("UPDATE customer_users SET status = 'disabled' WHERE email = 'jane@northwind.example'")
        _ = try console.requestReset("jane@northwind.example")
        #expect(try console.portal.outboxMessages().isEmpty)
    }

    @Test("Requests are limited per account (silently) and per address (told to wait)")
    func rateLimits() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        for _ in 0..<5 { #expect(try console.requestReset("jane@northwind.example").status == 303) }
        #expect(try console.portal.outboxMessages().count == 3, "three links a quarter-hour per account")
        var last: HTTPResponse?
        for index in 0..<6 { last = try console.requestReset("someone\(index)@example.com") }
        #expect(last?.status == 429)
        #expect(last?.text.contains("Too many reset requests from this computer.") == true)
        console.clock.advance(by: 15 * 60)
        #expect(try console.requestReset("jane@northwind.example").status == 303)
        #expect(try console.portal.outboxMessages().count == 4)
    }

    @Test("Changing the password mails a notice; common passwords are refused")
    func changeNotice() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let common = try PasswordChangeTests.change(browser, current: TestConsole.password, new: "iloveyou", confirm: "iloveyou")
        #expect(common.status == 422)
        #expect(common.text.contains("one of the most common passwords"))
        _ = try PasswordChangeTests.change(browser, current: TestConsole.password, new: "a rare passphrase 3", confirm: "a rare passphrase 3")
        let notice = try #require(try console.portal.outboxMessages().first)
        #expect(notice.subject == "Your ClientOne password was changed")
        #expect(notice.recipient == "jane@northwind.example")
    }
}
