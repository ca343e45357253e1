import Foundation

/// A user of the test provider, written to the JSON file `oidc/dot_provider.py --users` reads.
public struct OIDCTestUser: Encodable, Sendable {
    public let username: String
    public let password: String
    public let email: String
    public let email_verified: Bool
    public let name: String?
    public let amr: [String]?

    public init(username: String, password: String, email: String, emailVerified: Bool, name: String? = nil,
                amr: [String]? = nil) {
        self.username = username
        self.password = password
        self.email = email
        self.email_verified = emailVerified
        self.name = name
        self.amr = amr
    }
}

/// One application registered at the provider.
public struct OIDCTestClient: Decodable, Sendable {
    public let clientID: String
    public let clientSecret: String

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case clientSecret = "client_secret"
    }
}

/// A real OpenID provider on 127.0.0.1 for the SSO tests: django-oauth-toolkit (`oidc/dot_provider.py`),
/// a production provider with PKCE required, RS256 ID tokens with a `kid`, old keys kept in its JWKS,
/// an HS256 application and RP-initiated logout. Started through ``ChildProcess`` and ready once it
/// printed its JSON line (it prints it only after answering its own discovery document); stopped when
/// the value goes away. Its state folder keeps the database, the client credentials and the key, so
/// ``restart(key:inactiveKeys:)`` is the same provider (same port, issuer, clients and subjects).
public final class OIDCTestProvider: @unchecked Sendable {
    /// The ready line: `{"issuer", "port", "clients": {"rs256", "hs256"}, "users": {USERNAME: SUB}}`.
    private struct Ready: Decodable {
        let issuer: String
        let port: UInt16
        let clients: [String: OIDCTestClient]
        let users: [String: String]
    }

    public private(set) var issuer: String
    public private(set) var port: UInt16
    /// "rs256" (RS256 ID tokens) and "hs256" (HS256 ID tokens keyed by its client secret).
    public private(set) var clients: [String: OIDCTestClient]
    /// Username → the `sub` its ID tokens carry (django-oauth-toolkit's user id).
    public private(set) var subjects: [String: String]
    /// The private key (PEM file) the provider signs RS256 tokens with now.
    public private(set) var keyPath: String

    public var rs256: OIDCTestClient { clients["rs256"]! }
    public var hs256: OIDCTestClient { clients["hs256"]! }

    private let folder = TemporaryDirectory(prefix: "oidc-provider")
    private var child: RunningProcess?
    private let arguments: [String]

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("oidc/dot_provider.py").path
    /// The migrated empty database, shared by every start of every run (its name carries the versions).
    private static let cache = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("clientone-oidc-cache").path

    /// Starts django-oauth-toolkit with `users` and the applications' redirect URIs. Throws, with what
    /// the provider said, when it does not become ready within 60 s (e.g. django-oauth-toolkit missing:
    /// scripts/test installs it).
    public init(users: [OIDCTestUser], redirectURIs: [String], postLogoutRedirectURIs: [String] = []) throws {
        let usersFile = folder.file("users.json")
        try JSONEncoder().encode(users).write(to: URL(fileURLWithPath: usersFile))
        arguments = ["--users", usersFile, "--cache", Self.cache]
            + redirectURIs.flatMap { ["--redirect-uri", $0] }
            + postLogoutRedirectURIs.flatMap { ["--post-logout-redirect-uri", $0] }
        keyPath = folder.file("key.pem")
        let ready = try Self.launch(folder: folder, arguments: arguments + ["--port", "0", "--key", keyPath])
        child = ready.1
        issuer = ready.0.issuer
        port = ready.0.port
        clients = ready.0.clients
        subjects = ready.0.users
    }

    /// A path in the provider's folder for a new key: a `key` that does not exist yet is created by the
    /// provider when it starts with it.
    public func newKeyPath(_ name: String) -> String { folder.file(name) }

    /// Stops the provider and starts it again on the same port signing with `key`, the `inactiveKeys`
    /// still published in its JWKS (key rotation, as django-oauth-toolkit does it).
    public func restart(key: String, inactiveKeys: [String]) throws {
        stop()
        let ready = try Self.launch(folder: folder, arguments: arguments + ["--port", String(port), "--key", key]
            + inactiveKeys.flatMap { ["--inactive-key", $0] })
        child = ready.1
        guard ready.0.issuer == issuer else { throw ChildProcessError(description: "restarted provider has issuer \(ready.0.issuer), was \(issuer)") }
        keyPath = key
        clients = ready.0.clients
        subjects = ready.0.users
    }

    /// SIGTERM, waiting for it to exit; returns everything it printed (its log).
    @discardableResult
    public func stop() -> String {
        defer { child = nil }
        return child?.stop(grace: 10) ?? ""
    }

    deinit { child?.stop(grace: 5) }

    private static func launch(folder: TemporaryDirectory, arguments: [String]) throws -> (Ready, RunningProcess) {
        let process = try ChildProcess.start("/usr/bin/env", ["python3", script, "--dir", folder.path] + arguments)
        let line = { (text: String) in
            text.split(separator: "\n").first { $0.hasPrefix("{\"issuer\"") }.map(String.init)
        }
        _ = process.waitForOutput(within: 60) { text in line(text) != nil && text.contains("}\n") }
        guard let found = line(process.text), let ready = try? JSONDecoder().decode(Ready.self, from: Data(found.utf8)) else {
            let log = process.stop(grace: 5)
            throw ChildProcessError(description: "dot_provider.py did not become ready (scripts/test installs django-oauth-toolkit); it said: \(log)")
        }
        return (ready, process)
    }

    /// A fresh browser at the provider (its own cookie jar, so no provider session yet).
    public func browser() -> HTTPClient { HTTPClient(port: port, hostHeader: "127.0.0.1:\(port)") }

    /// Plays the user at the provider: opens `authorizationURL` (the console's redirect) in `browser`,
    /// signs in through Django's login form when asked (CSRF cookie and field), and returns the final
    /// `Location`, pointing back at the redirect URI with `code` and `state` (or `error`), without
    /// following it. A browser already signed in at the provider (same `browser`) goes straight back,
    /// unless the request asks `prompt=login`.
    public func signIn(authorizationURL: String, username: String, password: String,
                       browser: HTTPClient? = nil) throws -> String {
        let browser = browser ?? self.browser()
        var location = try redirect(browser.get(try target(authorizationURL)))
        if location.hasPrefix("/accounts/login/") {
            let next = try login(browser, at: location, username: username, password: password)
            location = try redirect(browser.get(next))
        }
        return location
    }

    /// Plays the user who refuses: signs in, then sends django-oauth-toolkit's consent form without
    /// `allow` (what its Cancel button does), and returns the `error=access_denied` redirect.
    public func cancel(authorizationURL: String, username: String, password: String,
                       browser: HTTPClient? = nil) throws -> String {
        let browser = browser ?? self.browser()
        let first = try redirect(browser.get(try target(authorizationURL)))
        if first.hasPrefix("/accounts/login/") {
            _ = try login(browser, at: first, username: username, password: password)
        }
        let query = URLComponents(string: authorizationURL)?.queryItems ?? []
        let fields = ["redirect_uri", "scope", "nonce", "client_id", "state", "response_type", "code_challenge",
                      "code_challenge_method", "claims"]
        var form = query.filter { fields.contains($0.name) }.map { ($0.name, $0.value ?? "") }
        form.append(("csrfmiddlewaretoken", browser.cookies["csrftoken"] ?? ""))
        return try redirect(browser.post("/o/authorize/", form: form))
    }

    private func login(_ browser: HTTPClient, at location: String, username: String, password: String) throws -> String {
        let page = try browser.get(location)
        let marker = "name=\"csrfmiddlewaretoken\" value=\""
        guard let start = page.text.range(of: marker), let end = page.text[start.upperBound...].firstIndex(of: "\"") else {
            throw ChildProcessError(description: "the provider's login page has no CSRF field: \(page.status) \(page.text)")
        }
        let token = String(page.text[start.upperBound..<end])
        let next = URLComponents(string: location)?.queryItems?.first { $0.name == "next" }?.value ?? "/"
        let answer = try browser.post(location, form: [("csrfmiddlewaretoken", token), ("username", username),
                                                       ("password", password), ("next", next)])
        guard answer.status == 302 else {
            throw ChildProcessError(description: "the provider refused the sign-in of \(username): \(answer.status)")
        }
        return try redirect(answer)
    }

    /// The path and query of a URL at this provider.
    private func target(_ url: String) throws -> String {
        for prefix in ["http://127.0.0.1:\(port)", "http://localhost:\(port)"] where url.hasPrefix(prefix) {
            return String(url.dropFirst(prefix.count))
        }
        throw ChildProcessError(description: "\(url) is not at the provider \(issuer)")
    }

    private func redirect(_ response: HTTPResponse) throws -> String {
        guard response.status == 302 || response.status == 303, let location = response.header("Location") else {
            throw ChildProcessError(description: "expected a redirect from the provider, got \(response.status): \(response.text.prefix(500))")
        }
        return location
    }
}

/// The hostile provider (`oidc/claims_provider.py`): checks redirect_uri, PKCE S256, client
/// authentication and single-use codes like a real provider, but issues whatever ID token a test sets per
/// subject (``setBehaviour(_:_:)``): any claims, an HS256 or `alg: none` token, a rotated or forged key.
/// Its issuer is `http://127.0.0.1:PORT`; the user "signs in" by naming a subject.
public final class OIDCClaimsProvider: @unchecked Sendable {
    private struct Ready: Decodable {
        let issuer: String
        let port: UInt16
        let clients: [String: OIDCTestClient]
    }

    public let issuer: String
    public let port: UInt16
    public let clients: [String: OIDCTestClient]
    public var rs256: OIDCTestClient { clients["rs256"]! }
    /// Its ID tokens are signed HS256 with its client secret unless a behaviour says otherwise.
    public var hs256: OIDCTestClient { clients["hs256"]! }
    private let child: RunningProcess

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("oidc/claims_provider.py").path

    public init(redirectURIs: [String], postLogoutRedirectURIs: [String] = []) throws {
        child = try ChildProcess.start("/usr/bin/env", ["python3", Self.script]
            + redirectURIs.flatMap { ["--redirect-uri", $0] } + postLogoutRedirectURIs.flatMap { ["--post-logout-redirect-uri", $0] })
        let line = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("{\"issuer\"") }.map(String.init) }
        _ = child.waitForOutput(within: 30) { line($0) != nil && $0.contains("}\n") }
        guard let found = line(child.text), let ready = try? JSONDecoder().decode(Ready.self, from: Data(found.utf8)) else {
            let log = child.stop(grace: 5)
            throw ChildProcessError(description: "claims_provider.py did not become ready (scripts/test installs jwcrypto); it said: \(log)")
        }
        issuer = ready.issuer
        port = ready.port
        clients = ready.clients
    }

    deinit { child.stop(grace: 5) }

    @discardableResult
    public func stop() -> String { child.stop(grace: 5) }

    public func browser() -> HTTPClient { HTTPClient(port: port, hostHeader: "127.0.0.1:\(port)") }

    /// What `subject`'s next ID token looks like: `PUT /behaviour/{sub}` with `json` (see claims_provider.py:
    /// "claims", "alg", "kid", "sign_with", "header", "userinfo"). Throws with the provider's reason when it
    /// refuses the behaviour.
    public func setBehaviour(_ subject: String, _ json: String) throws {
        let answer = try browser().send(method: "PUT", target: "/behaviour/\(subject)",
                                        headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        guard answer.status == 204 else { throw ChildProcessError(description: "behaviour refused: \(answer.text)") }
    }

    /// Publishes the rotated key in the JWKS (tokens with `"sign_with": "rotated"` verify from then on).
    public func rotate() throws { _ = try browser().post("/rotate", form: []) }

    /// The requests it received (`authorize`, `token`, `logout`) and how often discovery, JWKS and
    /// userinfo were fetched, as JSON.
    public func log() throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: Data(try browser().get("/log").body)) as? [String: Any]) ?? [:]
    }

    /// The user `subject` signs in at `authorizationURL`; returns the redirect back (not followed).
    public func signIn(authorizationURL: String, subject: String) throws -> String {
        try answer(authorizationURL, [("sub", subject), ("action", "allow")])
    }

    /// The user cancels; returns the `error=access_denied` redirect back.
    public func cancel(authorizationURL: String) throws -> String {
        try answer(authorizationURL, [("action", "deny")])
    }

    private func answer(_ url: String, _ form: [(String, String)]) throws -> String {
        guard url.hasPrefix(issuer + "/") else { throw ChildProcessError(description: "\(url) is not at \(issuer)") }
        let response = try browser().post(String(url.dropFirst(issuer.count)), form: form)
        guard response.status == 302, let location = response.header("Location") else {
            throw ChildProcessError(description: "the claims provider answered \(response.status): \(response.text)")
        }
        return location
    }
}
