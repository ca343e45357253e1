import Foundation
import Portal
import Store
import Testing
import TestSupport

extension HTTPClient {
    /// GETs where a redirect points, as a browser does after a POST's 303.
    func follow(_ response: HTTPResponse) throws -> HTTPResponse {
        guard (300..<400).contains(response.status), let location = response.header("Location") else {
            throw TestFailure("not a redirect: \(response.status)")
        }
        return try get(location)
    }
}

/// One browser tab over a browser's cookie jar, as the attacks need it: a POST answered with a redirect
/// is followed with a GET, and Reload repeats whatever made the page on screen: the GET, or the POST
/// itself when the POST was answered with a page (the browser's "resubmit the form").
final class BrowserTab {
    let browser: HTTPClient
    private(set) var page: HTTPResponse
    private var remake: () throws -> HTTPResponse

    init(_ browser: HTTPClient, at path: String) throws {
        self.browser = browser
        page = try browser.get(path)
        remake = { try browser.get(path) }
    }

    /// A tab still showing a page the browser made earlier.
    init(_ browser: HTTPClient, showing page: HTTPResponse) {
        self.browser = browser
        self.page = page
        remake = { page }
    }

    @discardableResult
    func open(_ path: String) throws -> HTTPResponse {
        let browser = self.browser
        remake = { try browser.get(path) }
        page = try follow(try browser.get(path))
        return page
    }

    /// Submits the page's form with this action: its hidden fields (the CSRF token, a set-up's id) and
    /// `fields`; `to` is a button's `formaction`, when the button pressed has one.
    @discardableResult
    func submit(_ action: String, to target: String? = nil, _ fields: [(String, String)] = []) throws -> HTTPResponse {
        let body = hiddenFields(of: action) + fields
        let browser = self.browser
        let destination = target ?? action
        let answer = try browser.post(destination, form: body)
        if (300..<400).contains(answer.status) {
            let location = answer.header("Location") ?? "/"
            remake = { try browser.get(location) }
            page = try follow(try browser.get(location))
        } else {
            remake = { try browser.post(destination, form: body) }
            page = answer
        }
        return page
    }

    /// Reload: the browser makes the page on screen again.
    @discardableResult
    func reload() throws -> HTTPResponse {
        page = try remake()
        page = try follow(page)
        return page
    }

    /// Presses the set-up page's Cancel, whatever it is on the page: a button posting the form, or a link.
    func cancelSetup(verifyAction: String) throws {
        if let target = page.text.captures("formaction=\"([^\"]+)\"[^>]*>Cancel<").first {
            try submit(verifyAction, to: target)
        } else if let link = page.text.captures("href=\"([^\"]+)\">Cancel</a>").first {
            try open(link)
        } else {
            throw TestFailure("no Cancel on the page")
        }
    }

    private func follow(_ response: HTTPResponse) throws -> HTTPResponse {
        var response = response
        var hops = 0
        while (300..<400).contains(response.status), let location = response.header("Location"), hops < 5 {
            response = try browser.get(location)
            hops += 1
        }
        return response
    }

    private func hiddenFields(of action: String) -> [(String, String)] {
        let text = page.text
        guard let form = text.captures("(<form[^>]*action=\"\(NSRegularExpression.escapedPattern(for: action))\".*?</form>)").first else {
            return []
        }
        let names = form.captures("<input type=\"hidden\" name=\"([^\"]+)\" value=\"[^\"]*\">")
        let values = form.captures("<input type=\"hidden\" name=\"[^\"]+\" value=\"([^\"]*)\">")
        return Array(zip(names, values))
    }
}

extension TestConsole {
    /// The hidden `setup` field of an authenticator set-up page: which pending set-up it shows.
    func setupID(_ page: HTTPResponse) throws -> String {
        guard let id = page.text.captures("<input type=\"hidden\" name=\"setup\" value=\"(\\d+)\">").first else {
            throw TestFailure("no setup field on the page (status \(page.status))")
        }
        return id
    }

    /// The base32 secret an authenticator set-up page shows for typing in.
    func shownSecret(_ page: HTTPResponse) -> String? {
        page.text.captures("<code id=\"totp-secret\"[^>]*>([A-Z2-7 ]+)</code>").first?.replacingOccurrences(of: " ", with: "")
    }

    /// The recovery codes a page lists.
    func shownCodes(_ page: HTTPResponse) -> [String] {
        page.text.captures("<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")
    }

    /// The stored hashes of the customer's recovery codes, to tell whether a set was made.
    func recoveryCodeHashes() throws -> Set<String> {
        let db = try Database(path: directory.file("console.db"))
        defer { db.close() }
        return Set(try db.query("SELECT hex(code_hash) AS h FROM recovery_codes").compactMap { $0.string("h") })
    }

    /// Starts the authenticator set-up in a tab (Enable on the Security tab); the tab shows the set-up.
    func startSetup(_ tab: BrowserTab) throws -> String {
        try tab.open("/portal/profile/security")
        try tab.submit("/portal/profile/security/totp/enable")
        return try #require(shownSecret(tab.page), "no set-up page: \(tab.page.status)")
    }

    /// Enable, then Verify with the app's code: the tab shows the new recovery codes.
    @discardableResult
    func enableUpToCodes(_ tab: BrowserTab) throws -> (codes: [String], secret: String) {
        let secret = try startSetup(tab)
        try tab.submit("/portal/profile/security/totp/verify", [("code", try Oracles.totp(base32: secret, at: clock.now()))])
        let codes = shownCodes(tab.page)
        try #require(codes.count == 10, "no codes page: \(tab.page.status)")
        return (codes, secret)
    }
}

/// Issue 15 item 7: the recovery codes and the authenticator secret follow post/redirect/get. The POST
/// makes them; a no-store GET page shows the same ones while they are pending in the session; a reload
/// makes nothing; "I've Saved These", Cancel, sign-out and 10 minutes end them.
@Suite struct PendingRecoveryCodesTests {
    @Test("Reloading the new recovery codes after Regenerate shows the same set, the one sign-in takes")
    func reloadAfterRegenerate() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let tab = try BrowserTab(try console.signedIn(), at: "/portal/profile/security")
        let (first, _) = try console.enableUpToCodes(tab)
        try tab.submit("/portal/profile/security/recovery-codes/saved")
        try tab.submit("/portal/profile/security/recovery-codes/regenerate", [("password", TestConsole.password)])
        let codes = console.shownCodes(tab.page)
        #expect(codes.count == 10)
        #expect(tab.page.text.contains("Your new recovery codes are ready."))
        let stored = try console.recoveryCodeHashes()
        for _ in 0..<3 {
            let again = try tab.reload()
            #expect(again.header("Cache-Control") == "no-store")
            #expect(console.shownCodes(again) == codes, "a reload shows the same set")
        }
        #expect(try console.recoveryCodeHashes() == stored, "no second set was made")
        // The codes written down from that page are the ones sign-in takes.
        #expect(try console.signInWithCode(codes[0]).1.status == 303)
        #expect(try console.signInWithCode(first[0]).1.status == 401)
    }

    @Test("Reloading the codes after Verify shows the same set; re-posting Verify makes no other")
    func reloadAfterVerify() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let tab = try BrowserTab(try console.signedIn(), at: "/portal/profile/security")
        let (codes, _) = try console.enableUpToCodes(tab)
        #expect(tab.page.text.contains("Two-factor authentication is on."))
        let stored = try console.recoveryCodeHashes()
        for _ in 0..<3 {
            #expect(console.shownCodes(try tab.reload()) == codes)
        }
        #expect(try console.recoveryCodeHashes() == stored)
        #expect(try tab.browser.get("/portal/profile/security/recovery-codes/new").status == 200)
        #expect(try console.signInWithCode(codes[7]).1.status == 303)
    }

    @Test("After I've Saved These, neither the codes page nor the Security tab shows the codes again")
    func savedEndsIt() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let tab = try BrowserTab(try console.signedIn(), at: "/portal/profile/security")
        let (codes, _) = try console.enableUpToCodes(tab)
        let saved = try tab.browser.post("/portal/profile/security/recovery-codes/saved",
                                         form: [("csrf_token", try tab.browser.csrfToken(from: tab.page))])
        #expect(saved.status == 303)
        #expect(saved.header("Location") == "/portal/profile/security")
        // Back lands on the codes page's address, a GET: it leads to the Security tab and shows nothing.
        for _ in 0..<2 {
            let back = try tab.browser.get("/portal/profile/security/recovery-codes/new")
            #expect(back.status == 303)
            #expect(back.header("Location") == "/portal/profile/security")
            #expect(!back.text.contains(codes[0]))
        }
        #expect(!(try tab.browser.get("/portal/profile/security").text.contains(codes[0])))
        #expect(try console.count("SELECT count(*) AS n FROM pending_secrets") == 0, "the pending copy is deleted")
    }

    @Test("Codes pending in one session are not shown to another, not even with the sealed row moved there; sign-out deletes them")
    func boundToTheSession() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let tab = try BrowserTab(try console.signedIn(), at: "/portal/profile/security")
        let (codes, _) = try console.enableUpToCodes(tab)
        let (other, signedIn) = try console.signInWithCode(codes[0])
        try #require(signedIn.status == 303)
        let elsewhere = try other.get("/portal/profile/security/recovery-codes/new")
        #expect(elsewhere.status == 303)
        #expect(!elsewhere.text.contains(codes[1]))
        // The sealed copy opens only under its own session's associated data.
        try console.sql("UPDATE pending_secrets SET session_id = (SELECT max(id) FROM sessions)")
        #expect(try other.get("/portal/profile/security/recovery-codes/new").status == 303)
        try console.sql("UPDATE pending_secrets SET session_id = (SELECT min(id) FROM sessions)")
        #expect(console.shownCodes(try tab.reload()) == codes)

        let out = try tab.browser.post("/logout", form: [("csrf_token", try tab.browser.csrfToken(from: tab.page))])
        #expect(out.status == 303)
        #expect(try console.count("SELECT count(*) AS n FROM pending_secrets") == 0, "sign-out ends it")
        let (back, _) = try console.signInWithCode(codes[1])
        #expect(try back.get("/portal/profile/security/recovery-codes/new").header("Location") == "/portal/profile/security")
    }

    @Test("Ten minutes after they were made, the codes page shows them no more")
    func tenMinutes() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let tab = try BrowserTab(try console.signedIn(), at: "/portal/profile/security")
        let (codes, _) = try console.enableUpToCodes(tab)
        console.clock.advance(by: 9 * 60 + 59)
        #expect(console.shownCodes(try tab.reload()) == codes)
        console.clock.advance(by: 1)
        let late = try tab.browser.get("/portal/profile/security/recovery-codes/new")
        #expect(late.status == 303)
        #expect(late.header("Location") == "/portal/profile/security")
        #expect(!late.text.contains(codes[0]))
    }

    @Test("While pending, the codes are sealed at rest: neither the database nor its log holds them in the clear")
    func sealedWhilePending() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let (codes, _) = try console.enableUpToCodes(try BrowserTab(try console.signedIn(), at: "/portal/profile/security"))
        let dump = try Data(contentsOf: URL(fileURLWithPath: console.directory.file("console.db")))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: console.directory.file("console.db-wal")))) ?? Data()
        for code in codes {
            #expect((dump + wal).range(of: Data(code.utf8)) == nil)
        }
        #expect(try console.count("SELECT count(*) AS n FROM pending_secrets WHERE purpose = 'recovery_codes'") == 1)
    }

    @Test("Required enrolment: the codes page follows Verify in the new full session, and I've Saved These ends it")
    func enrolment() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(requireMFA: true))
        let browser = console.browser()
        #expect(try browser.signIn(email: "jane@northwind.example", password: TestConsole.password).header("Location")
                == "/portal/profile/security")
        #expect(try browser.get("/portal/profile").header("Location") == "/portal/profile/security")
        let tab = try BrowserTab(browser, at: "/portal/profile/security")
        let (codes, _) = try console.enableUpToCodes(tab)
        #expect(try browser.get("/portal/profile").status == 200, "the session is a full one now")
        #expect(console.shownCodes(try tab.reload()) == codes)
        try tab.submit("/portal/profile/security/recovery-codes/saved")
        #expect(tab.page.text.contains("<span class=\"badge badge--on\">Enabled</span>"))
        #expect(try browser.get("/portal/profile/security/recovery-codes/new").status == 303)
    }

    @Test("An administrator viewing the account cannot open the set-up or codes pages")
    func impersonation() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let viewer = try console.impersonating()
        #expect(try viewer.get("/portal/profile/security/recovery-codes/new").status == 403)
        #expect(try viewer.get("/portal/profile/security/totp/setup").status == 403)
    }
}

@Suite struct PendingAuthenticatorSetupTests {
    @Test("Enable answers 303 to the set-up page; reloads show the same secret; a re-posted wrong code shows it and makes no other")
    func reloadShowsTheSameSecret() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let started = try browser.submit("/portal/profile/security/totp/enable", from: "/portal/profile/security", [])
        #expect(started.status == 303)
        #expect(started.header("Location") == "/portal/profile/security/totp/setup")
        let tab = try BrowserTab(browser, at: "/portal/profile/security/totp/setup")
        let secret = try #require(console.shownSecret(tab.page))
        for _ in 0..<3 {
            let again = try tab.reload()
            #expect(again.header("Cache-Control") == "no-store")
            #expect(console.shownSecret(again) == secret)
        }
        let right = try Oracles.totp(base32: secret, at: console.clock.now())
        try tab.submit("/portal/profile/security/totp/verify", [("code", right == "000000" ? "111111" : "000000")])
        #expect(tab.page.status == 422)
        #expect(console.shownSecret(tab.page) == secret)
        #expect(console.shownSecret(try tab.reload()) == secret)
        #expect(console.shownSecret(try browser.get("/portal/profile/security/totp/setup")) == secret)
    }

    @Test("After Cancel, a posted wrong code does not show the cancelled secret again, and its right code turns nothing on")
    func cancelEndsIt() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let tab = try BrowserTab(try console.signedIn(), at: "/portal/profile/security")
        let secret = try console.startSetup(tab)
        let setupPage = tab.page
        let grouped = try #require(setupPage.text.captures("<code id=\"totp-secret\"[^>]*>([A-Z2-7 ]+)</code>").first)
        try tab.cancelSetup(verifyAction: "/portal/profile/security/totp/verify")
        #expect(!tab.page.text.contains(grouped))
        #expect(try tab.browser.get("/portal/profile/security/totp/setup").status == 303, "the set-up page leads to the Security tab")
        // The attack: the set-up page's form, posted again after Cancel.
        let verify = BrowserTabReplay(tab.browser, page: setupPage)
        let wrong = try verify.post("/portal/profile/security/totp/verify", [("code", "000000")])
        #expect(!wrong.text.contains(grouped), "the cancelled secret is not shown again")
        #expect(wrong.text.contains("The set-up expired or was cancelled"))
        let right = try verify.post("/portal/profile/security/totp/verify", [("code", try Oracles.totp(base32: secret, at: console.clock.now()))])
        #expect(right.status == 422)
        #expect(try tab.browser.get("/portal/profile/security").text.contains("badge--off"))
        #expect(try console.count("SELECT count(*) AS n FROM totp_credentials") == 0)
    }

    @Test("The set-up is the session's: another browser sees nothing, 10 minutes end it, and so does sign-out")
    func sessionAndExpiry() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let tab = try BrowserTab(try console.signedIn(), at: "/portal/profile/security")
        let secret = try console.startSetup(tab)
        let other = try console.signedIn()
        let elsewhere = try other.get("/portal/profile/security/totp/setup")
        #expect(elsewhere.status == 303)
        #expect(!elsewhere.text.contains(secret))
        console.clock.advance(by: 10 * 60)
        #expect(try tab.browser.get("/portal/profile/security/totp/setup").header("Location") == "/portal/profile/security")

        let fresh = try console.startSetup(tab)
        #expect(fresh != secret)
        _ = try tab.browser.post("/logout", form: [("csrf_token", try tab.browser.csrfToken(from: tab.page))])
        #expect(try console.count("SELECT count(*) AS n FROM pending_secrets") == 0)
    }
}

/// Issue 15 item 22: verification reads the pending secret and turns it on in one transaction, and only
/// the secret the verifying page showed.
@Suite struct AuthenticatorSetupRaceTests {
    @Test("Enable in tab A, Enable again in tab B: A's code is refused as restarted elsewhere; B's turns on B's secret")
    func twoTabs() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let tabA = try BrowserTab(browser, at: "/portal/profile/security")
        let tabB = try BrowserTab(browser, at: "/portal/profile/security")
        let secretA = try console.startSetup(tabA)
        let secretB = try console.startSetup(tabB)
        #expect(secretA != secretB)

        try tabA.submit("/portal/profile/security/totp/verify", [("code", try Oracles.totp(base32: secretA, at: console.clock.now()))])
        #expect(tabA.page.status == 409)
        #expect(tabA.page.text.contains("The set-up was restarted in another tab or window"))
        #expect(console.shownSecret(tabA.page) == nil, "tab A is not shown a secret it never scanned")
        #expect(try console.count("SELECT count(*) AS n FROM totp_credentials") == 0)

        try tabB.submit("/portal/profile/security/totp/verify", [("code", try Oracles.totp(base32: secretB, at: console.clock.now()))])
        #expect(console.shownCodes(tabB.page).count == 10)
        try tabB.submit("/portal/profile/security/recovery-codes/saved")
        console.clock.advance(by: 30)
        #expect(try console.signInWithCode(try Oracles.totp(base32: secretA, at: console.clock.now())).1.status == 401)
        #expect(try console.signInWithCode(try Oracles.totp(base32: secretB, at: console.clock.now())).1.status == 303,
                "the secret turned on is the one tab B showed")
    }

    @Test("A set-up restarted in another browser of the account is not confirmed by the first browser's page")
    func otherBrowser() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let first = try BrowserTab(try console.signedIn(), at: "/portal/profile/security")
        let second = try BrowserTab(try console.signedIn(), at: "/portal/profile/security")
        let secretOne = try console.startSetup(first)
        _ = try console.startSetup(second)
        try first.submit("/portal/profile/security/totp/verify", [("code", try Oracles.totp(base32: secretOne, at: console.clock.now()))])
        #expect(first.page.status == 409)
        #expect(try console.count("SELECT count(*) AS n FROM totp_credentials") == 0)
    }

    @Test("Staff: two tabs of /admin/security are told apart the same way; Cancel ends the set-up; reloads show one secret")
    func staffSetup() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        let started = try staff.submit("/admin/security/totp/enable", from: "/admin/security", [])
        #expect(started.status == 303)
        #expect(started.header("Location") == "/admin/security/totp/setup")
        let tabA = try BrowserTab(staff, at: "/admin/security/totp/setup")
        #expect(tabA.page.header("Cache-Control") == "no-store")
        let secretA = try #require(console.shownSecret(tabA.page))
        #expect(console.shownSecret(try tabA.reload()) == secretA)

        let tabB = try BrowserTab(staff, at: "/admin/security")
        try tabB.submit("/admin/security/totp/enable")
        let secretB = try #require(console.shownSecret(tabB.page))
        try tabA.submit("/admin/security/totp/verify", [("code", try Oracles.totp(base32: secretA, at: console.clock.now()))])
        #expect(tabA.page.status == 409)
        #expect(tabA.page.text.contains("The set-up was restarted in another tab or window"))
        #expect(try console.count("SELECT count(*) AS n FROM staff_totp_credentials") == 0)

        let setupPage = tabB.page
        try tabB.cancelSetup(verifyAction: "/admin/security/totp/verify")
        #expect(try staff.get("/admin/security/totp/setup").header("Location") == "/admin/security")
        let wrong = try BrowserTabReplay(staff, page: setupPage).post("/admin/security/totp/verify", [("code", "000000")])
        #expect(!wrong.text.contains(try #require(setupPage.text.captures("<code id=\"totp-secret\"[^>]*>([A-Z2-7 ]+)</code>").first)))
        #expect(try console.count("SELECT count(*) AS n FROM pending_secrets") == 0)

        let tabC = try BrowserTab(staff, at: "/admin/security")
        try tabC.submit("/admin/security/totp/enable")
        let secretC = try #require(console.shownSecret(tabC.page))
        #expect(secretC != secretB)
        try tabC.submit("/admin/security/totp/verify", [("code", try Oracles.totp(base32: secretC, at: console.clock.now()))])
        #expect(tabC.page.text.contains("The authenticator app is on."))
        #expect(try staff.get("/admin/security/totp/setup").header("Location") == "/admin/security")
    }
}

/// Posts a form of a page the browser has kept (another tab, the history): its hidden fields and `fields`.
struct BrowserTabReplay {
    let browser: HTTPClient
    let page: HTTPResponse

    init(_ browser: HTTPClient, page: HTTPResponse) {
        self.browser = browser
        self.page = page
    }

    func post(_ action: String, _ fields: [(String, String)]) throws -> HTTPResponse {
        try BrowserTab(browser, showing: page).submit(action, fields)
    }
}
