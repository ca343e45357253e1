import Foundation
import Portal
import Store
import Testing
import TestSupport

/// A console and a real OpenID provider that knows the console's redirect URI: the provider is started
/// once the console's port is known. Single sign-on's tests drive both over HTTP as a browser would.
final class SSOWorld: @unchecked Sendable {
    let console: TestConsole
    var origin: String { "http://localhost:\(console.port)" }
    var redirectURI: String { origin + Portal.singleSignOnCallbackPath }
    var postLogoutURIs: [String] { [origin + "/login?signed_out=1", origin + "/admin/login?signed_out=1"] }

    /// The console's clock starts at the real time: the providers' tokens carry it.
    init(kiosk: Bool = false) throws {
        console = try TestConsole(clockStart: Int64(Date().timeIntervalSince1970)) { $0.kiosk = kiosk }
    }

    /// Sets the client's provider through the service the command line uses.
    @discardableResult
    func configure(client: String, issuer: String, credentials: OIDCTestClient, domains: [String], displayName: String = "Test IdP",
                   trustEmail: Bool = false, trustMFA: Bool = false, createUsers: Bool = false, tenant: String? = nil) throws -> IdentityProvider {
        try console.portal.configureSingleSignOn(client: client, IdentityProviderSettings(
            issuer: issuer, clientID: credentials.clientID, clientSecret: credentials.clientSecret, domains: domains, tenantID: tenant,
            displayName: displayName, trustEmail: trustEmail, trustProviderMFA: trustMFA, createUsers: createUsers))
    }

    /// The email step, then the "Continue with …" link: returns the provider's authorization URL the
    /// console redirected to (the browser now holds the attempt's cookie).
    func start(_ browser: HTTPClient, email: String, expectName: String = "Test IdP") throws -> String {
        syncClock()
        let login = try browser.get("/login")
        let step = try browser.post("/login", form: [("csrf_token", try browser.csrfToken(from: login)), ("email", email)])
        try #require(step.status == 200, "email step answered \(step.status)")
        #expect(step.text.contains("Continue with \(expectName)"), "no Continue with \(expectName) on the email step")
        let href = try #require(Self.attribute(in: step.text, after: "href=\"/login/sso/start?"), "no link to the provider")
        let out = try browser.get("/login/sso/start?" + href)
        try #require(out.status == 303, "start answered \(out.status): \(out.text.prefix(300))")
        return try #require(out.header("Location"))
    }

    /// The provider's redirect back, followed in `browser`.
    func back(_ browser: HTTPClient, _ location: String) throws -> HTTPResponse {
        try #require(location.hasPrefix(redirectURI + "?"), "the provider sent the person to \(location)")
        syncClock()
        return try browser.get(String(location.dropFirst(origin.count)))
    }

    /// The audit details of one kind, oldest first.
    func audit(_ kind: String) throws -> [String] {
        let db = try Database(path: console.directory.file("console.db"))
        defer { db.close() }
        return try db.query("SELECT detail FROM audit_events WHERE kind = ? ORDER BY id", [kind]).map { try $0.decode("detail") }
    }

    /// The newest audit event's id: `refusals(after:)` reads what came after it.
    func auditMark() throws -> Int64 {
        let db = try Database(path: console.directory.file("console.db"))
        defer { db.close() }
        return try db.queryOne("SELECT coalesce(max(id), 0) AS n FROM audit_events", [])?.decode("n") ?? 0
    }

    /// The single sign-on failures and refusals audited after `mark`, joined (the reasons a test looks for).
    func refusals(after mark: Int64) throws -> String {
        let db = try Database(path: console.directory.file("console.db"))
        defer { db.close() }
        return try db.query("SELECT detail FROM audit_events WHERE id > ? AND kind IN ('sso_failed', 'sso_refused') ORDER BY id", [mark])
            .map { try $0.decode("detail", as: String.self) }.joined(separator: " | ")
    }

    /// Moves the console's clock up to the real time (never back): the providers' tokens carry real times.
    func syncClock() {
        let real = Int64(Date().timeIntervalSince1970), now = console.clock.now()
        if real > now { console.clock.advance(by: real - now) }
    }

    /// The value of an attribute that starts with `prefix`, up to its closing quote, `&amp;` undone.
    static func attribute(in html: String, after prefix: String) -> String? {
        guard let range = html.range(of: prefix) else { return nil }
        let rest = html[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end]).replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Where a signed-in answer moves on to (its refresh), nil for any other answer.
    static func destination(_ answer: HTTPResponse) -> String? {
        guard answer.status == 200 else { return nil }
        return attribute(in: answer.text, after: "<meta http-equiv=\"refresh\" content=\"0; url=")
    }

    /// The reference a failure page gives the person to pass on.
    static func reference(in html: String) -> String? {
        let parts = html.components(separatedBy: "<strong class=\"reference\">")
        return parts.count > 1 ? parts[1].components(separatedBy: "</strong>").first : nil
    }

    static func query(_ url: String, _ name: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
    }
}

/// One value for a whole serialized suite, made on first use (a provider takes seconds to start).
final class SuiteShared<Value>: @unchecked Sendable {
    private var value: Value?
    private let make: () throws -> Value

    init(_ make: @escaping () throws -> Value) { self.make = make }

    func get() throws -> Value {
        if let value { return value }
        let made = try make()
        value = made
        return made
    }
}
