import Foundation
@testable import Portal
import Store
import Testing
import TestSupport

/// A client's identity provider as the MSP sets it: the command line, the administrator's client page and
/// the one service behind both (every field checked, a domain of one client only, the issuer's discovery
/// document fetched before saving, the secret sealed and never shown), against a real provider on 127.0.0.1.
@Suite(.serialized) struct IdentityProviderSettingsTests {
    nonisolated(unsafe) static var sharedProvider: OIDCClaimsProvider?
    static func provider() throws -> OIDCClaimsProvider {
        if let sharedProvider { return sharedProvider }
        let started = try OIDCClaimsProvider(redirectURIs: ["http://localhost:9/login/sso/callback"])
        sharedProvider = started
        return started
    }

    static func settings(_ provider: OIDCClaimsProvider, domains: [String] = ["acme.example"], secret: String? = "s3cret-value-1",
                         tenant: String? = nil) -> IdentityProviderSettings {
        IdentityProviderSettings(issuer: provider.issuer, clientID: provider.rs256.clientID, clientSecret: secret, domains: domains,
                                 tenantID: tenant)
    }

    static func console() throws -> TestConsole {
        let console = try TestConsole()
        _ = try console.portal.addClient(name: "Acme", settings: ClientSettings(ssoOnly: true))
        _ = try console.portal.addClient(name: "Globex", settings: ClientSettings())
        return console
    }

    @Test("Bad settings are refused with a plain reason and change nothing")
    func validation() throws {
        let console = try Self.console(), provider = try Self.provider()
        let good = Self.settings(provider)
        var cases: [(IdentityProviderSettings, String)] = []
        func with(_ change: (inout IdentityProviderSettings) -> Void, _ expected: String) {
            var settings = good
            change(&settings)
            cases.append((settings, expected))
        }
        with({ $0.issuer = "ftp://idp.example" }, "https://")
        with({ $0.issuer = "http://idp.example" }, "must use https://")
        with({ $0.issuer = provider.issuer + "?tenant=x" }, "cannot have a query")
        with({ $0.issuer = "https://user@idp.example" }, "cannot have a query, a fragment, a user name")
        with({ $0.clientID = "" }, "client ID is 1 to 255")
        with({ $0.clientID = "has space" }, "client ID is 1 to 255")
        with({ $0.clientSecret = nil }, "Enter the client secret")
        with({ $0.clientSecret = "line\nbreak" }, "one line")
        with({ $0.domains = [] }, "at least one email domain")
        with({ $0.domains = ["not a domain"] }, "is not a domain name")
        with({ $0.domains = ["-bad.example"] }, "is not a domain name")
        with({ $0.tenantID = "contoso.onmicrosoft.com" }, "tenant ID is the directory's GUID")
        with({ $0.displayName = String(repeating: "x", count: 81) }, "display name is at most 80")
        for (settings, expected) in cases {
            #expect(throws: CommandError.self) { try console.portal.configureSingleSignOn(client: "Acme", settings) }
            do {
                _ = try console.portal.configureSingleSignOn(client: "Acme", settings)
            } catch let error as CommandError {
                #expect(error.description.contains(expected), "\(error.description) does not say \(expected)")
            }
        }
        #expect(try console.count("SELECT count(*) AS n FROM identity_providers") == 0)
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'sso_configured'") == 0)
    }

    @Test("Saving fetches the issuer's discovery document: unreachable, or naming another issuer, is refused and nothing is saved")
    func discoveryChecked() throws {
        let console = try Self.console(), provider = try Self.provider()
        var unreachable = Self.settings(provider)
        unreachable.issuer = "http://127.0.0.1:1"
        #expect(throws: CommandError.self) { try console.portal.configureSingleSignOn(client: "Acme", unreachable) }
        var other = Self.settings(provider)
        // The same provider by another name: its document says http://127.0.0.1:PORT.
        other.issuer = provider.issuer.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        do {
            _ = try console.portal.configureSingleSignOn(client: "Acme", other)
            Issue.record("a discovery document naming another issuer was accepted")
        } catch let error as CommandError {
            #expect(error.description.contains(provider.issuer), "\(error.description)")
        }
        #expect(try console.count("SELECT count(*) AS n FROM identity_providers") == 0)
        let saved = try console.portal.configureSingleSignOn(client: "Acme", Self.settings(provider))
        #expect(saved.displayName == "127.0.0.1")
    }

    @Test("A domain belongs to one client, or to the staff sign-in")
    func domainsUnique() throws {
        let console = try Self.console(), provider = try Self.provider()
        _ = try console.portal.configureSingleSignOn(client: "Acme", Self.settings(provider, domains: ["acme.example", "ACME.example.", "acme.test"]))
        #expect(try console.portal.identityProvider(clientID: 1)?.domains == ["acme.example", "acme.test"])
        do {
            _ = try console.portal.configureSingleSignOn(client: "Globex", Self.settings(provider, domains: ["globex.example", "acme.test"]))
            Issue.record("a domain of Acme was given to Globex")
        } catch let error as CommandError {
            #expect(error.description == "acme.test already belongs to Acme.")
        }
        _ = try console.portal.configureSingleSignOn(client: nil, Self.settings(provider, domains: ["msp.example"]))
        #expect(throws: CommandError.self) {
            try console.portal.configureSingleSignOn(client: "Globex", Self.settings(provider, domains: ["msp.example"]))
        }
        #expect(try console.count("SELECT count(*) AS n FROM identity_provider_domains") == 3)
        // Acme may keep and change its own domains.
        _ = try console.portal.configureSingleSignOn(client: "Acme", Self.settings(provider, domains: ["acme.test"], secret: nil))
        #expect(try console.portal.identityProvider(clientID: 1)?.domains == ["acme.test"])
    }

    @Test("The client secret is sealed: not in the database, kept when not given again, bound to its row")
    func secretSealed() throws {
        let console = try Self.console(), provider = try Self.provider()
        let first = try console.portal.configureSingleSignOn(client: "Acme", Self.settings(provider, secret: "the-first-secret"))
        let db = try Database(path: console.directory.file("console.db"))
        defer { db.close() }
        let blob: [UInt8] = try #require(try db.queryOne("SELECT client_secret_sealed FROM identity_providers", [])?.decode("client_secret_sealed"))
        #expect(!String(decoding: blob, as: UTF8.self).contains("the-first-secret"))
        #expect(try console.portal.pool.withConnection { try console.portal.identityProviderSecret($0, providerID: first.id) } == "the-first-secret")
        // Changed without a secret: the stored one is kept (and re-sealed under the new display name's row).
        var change = Self.settings(provider, secret: nil)
        change.displayName = "Acme Sign-in"
        _ = try console.portal.configureSingleSignOn(client: "Acme", change)
        #expect(try console.portal.pool.withConnection { try console.portal.identityProviderSecret($0, providerID: first.id) } == "the-first-secret")
        // Copied onto another provider's row, it does not open.
        let second = try console.portal.configureSingleSignOn(client: "Globex", Self.settings(provider, domains: ["globex.example"], secret: "other"))
        try db.run("UPDATE identity_providers SET client_secret_sealed = (SELECT client_secret_sealed FROM identity_providers WHERE id = ?) WHERE id = ?",
                   [first.id, second.id])
        #expect(throws: (any Error).self) {
            try console.portal.pool.withConnection { try console.portal.identityProviderSecret($0, providerID: second.id) }
        }
        let audit = try db.query("SELECT detail FROM audit_events WHERE kind = 'sso_configured'", []).map { try $0.decode("detail", as: String.self) }
        #expect(audit.count == 3)
        #expect(audit.allSatisfy { !$0.contains("the-first-secret") && !$0.contains("other;") })
        #expect(audit[1].hasSuffix("secret kept"))
    }

    @Test("clientone client sso sets, shows and turns off a provider; the secret comes from standard input only")
    func commandLine() throws {
        let cli = CLI(), provider = try Self.provider()
        try cli.run(["client", "add", "--name", "Acme"])
        let set = try cli.run(["client", "sso", "Acme", "--issuer", provider.issuer, "--client-id", provider.rs256.clientID,
                               "--client-secret-stdin", "--domain", "acme.example", "--domain", "acme.test", "--display-name", "Acme ID",
                               "--trust-idp-mfa", "on"], stdin: "cli-secret-1\n")
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("Single sign-on for client Acme: Acme ID (issuer \(provider.issuer)"))
        #expect(set.stdout.contains("domains acme.example, acme.test"))
        #expect(set.stdout.contains("trust provider MFA on"))
        #expect(!set.stdout.contains("cli-secret-1"))
        let missing = try cli.run(["client", "sso", "Acme", "--issuer", provider.issuer, "--client-id", "x"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--domain"))
        let refused = try cli.run(["client", "sso", "Acme", "--issuer", "http://idp.example", "--client-id", "x", "--domain", "acme.example"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("https://"))
        #expect(try cli.count("SELECT count(*) AS n FROM identity_providers WHERE oauth_client_id = 'x'") == 0)
        let staff = try cli.run(["staff", "sso", "--issuer", provider.issuer, "--client-id", provider.rs256.clientID, "--client-secret-stdin",
                                 "--domain", "msp.example"], stdin: "staff-secret\n")
        #expect(staff.status == 0, "\(staff.stderr)")
        let off = try cli.run(["client", "sso", "Acme", "--off"])
        #expect(off.status == 0, "\(off.stderr)")
        #expect(off.stdout.contains("off (Acme ID removed)"))
        #expect(try cli.count("SELECT count(*) AS n FROM identity_providers") == 1)
        #expect(try cli.run(["client", "sso", "Acme", "--off"]).status != 0)
    }

    @Test("The client page shows the provider (the secret only as “Set”), refuses bad input with the values typed, and turns it off")
    func adminPage() throws {
        let console = try Self.console(), provider = try Self.provider()
        _ = try console.portal.addStaff(email: "morgan@msp.example", name: "Morgan Reyes", password: TestConsole.password)
        let staff = try console.staffSignedIn()
        let page = try staff.get("/admin/clients/1")
        #expect(page.text.contains("Single sign-on"))
        #expect(page.text.contains("http://localhost:\(console.port)/login/sso/callback"))
        let refused = try staff.submit("/admin/clients/1/sso", from: "/admin/clients/1", [
            ("issuer", provider.issuer), ("client_id", provider.rs256.clientID), ("client_secret", "page-secret-1"),
            ("domains", "acme.example, bad domain!"),
        ])
        #expect(refused.status == 422)
        #expect(refused.text.contains("is not a domain name"))
        #expect(refused.text.contains("value=\"\(provider.issuer)\""))
        #expect(!refused.text.contains("page-secret-1"))
        let saved = try staff.submit("/admin/clients/1/sso", from: "/admin/clients/1", [
            ("issuer", provider.issuer), ("client_id", provider.rs256.clientID), ("client_secret", "page-secret-1"),
            ("domains", "acme.example\nacme.test"), ("display_name", "Acme <ID>"), ("create_users", "on"),
        ])
        #expect(saved.status == 200)
        #expect(saved.text.contains("Single sign-on saved: Acme &lt;ID&gt;."))
        #expect(saved.text.contains("<dt>Client secret</dt><dd>Set</dd>"))
        #expect(saved.text.contains("acme.example, acme.test"))
        #expect(!saved.text.contains("page-secret-1"))
        #expect(try console.portal.identityProvider(clientID: 1)?.createUsers == true)
        // Turning it off is a red link to a page that says what follows; that page changes nothing.
        #expect(saved.text.contains("<a class=\"button button--danger-quiet\" href=\"/admin/clients/1/sso/remove\">Turn off single sign-on</a>"))
        let confirm = try staff.get("/admin/clients/1/sso/remove")
        #expect(confirm.status == 200)
        #expect(confirm.text.contains("Turn off single sign-on for Acme?"))
        #expect(confirm.text.contains("Acme is SSO-only: until a provider is set up again or SSO-only is turned off, its users have no way to sign in."))
        #expect(confirm.text.contains("<button type=\"submit\" class=\"button button--danger\">Turn off single sign-on</button>"))
        #expect(try console.portal.identityProvider(clientID: 1) != nil)
        // A form from another site, or without the token, changes nothing.
        let forged = try staff.post("/admin/clients/1/sso/remove", form: [("csrf_token", "forged")])
        #expect(forged.status == 403)
        #expect(try console.portal.identityProvider(clientID: 1) != nil)
        let removed = try staff.submit("/admin/clients/1/sso/remove", from: "/admin/clients/1/sso/remove", [])
        #expect(removed.text.contains("Single sign-on is off: Acme &lt;ID&gt; was removed."))
        #expect(try console.portal.identityProvider(clientID: 1) == nil)
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind IN ('sso_configured', 'sso_removed') AND staff_id = 1") == 2)
        #expect(try staff.get("/admin/clients/1/sso/remove").text.contains("Single sign-on was not set up."), "nothing left to turn off")
    }
}
