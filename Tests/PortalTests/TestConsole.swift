import Foundation
import Portal
import Store
import Testing
import TestSupport

/// A real console on a free port over a fresh database, with a clock the test moves.
final class TestConsole: @unchecked Sendable {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let password = "correct horse battery"

    let directory = TemporaryDirectory()
    let clock: ManualClock
    let application: Application
    var portal: Portal { application.portal }
    var port: UInt16 { application.port }
    let accessLog = AccessLogLines()

    /// `clockStart`: the console's time at first; single sign-on's tests start at the real time, which the
    /// providers' tokens carry.
    init(clockStart: Int64 = 1_800_000_000, _ configure: (inout PortalConfiguration) -> Void = { _ in }) throws {
        clock = ManualClock(clockStart)
        var configuration = PortalConfiguration(databasePath: directory.file("console.db"),
                                                publicDirectory: Self.repositoryRoot.appendingPathComponent("Public").path)
        configuration.port = 0
        // Tests hash thousands of times; the production work factor is checked in CryptoTests.
        configuration.passwordIterations = 1_000
        configure(&configuration)
        let log = accessLog
        application = try buildApplication(configuration, clock: clock, accessLog: { log.append($0) })
        try application.start()
    }

    deinit { application.stop() }

    /// A browser with an empty cookie jar.
    func browser() -> HTTPClient { HTTPClient(port: port) }

    /// Northwind with billing, Jane with title and mobile, and a staff member. Northwind does not require
    /// a verified caller unless asked (`verifyCallers`), as clients from before migration 0016 do not:
    /// the tests of the resets themselves then run as they always have.
    @discardableResult
    func seedNorthwind(billing: Bool = true, verifyCallers: Bool = false) throws -> CustomerUser {
        _ = try portal.addClient(name: "Northwind Traders", settings: ClientSettings(billingEnabled: billing, verifyCallers: verifyCallers))
        _ = try portal.addStaff(email: "morgan@msp.example", name: "Morgan Reyes", password: Self.password)
        return try portal.addCustomer(NewCustomer(client: "Northwind Traders", email: "jane@northwind.example", name: "Jane Doe",
                                                  phone: "+1 555 0100", title: "Office Manager", mobile: "+1 555 0199",
                                                  password: Self.password))
    }

    /// Signs in through both steps of the form and returns the browser holding the session.
    func signedIn(_ email: String = "jane@northwind.example", password: String = TestConsole.password) throws -> HTTPClient {
        let browser = browser()
        let response = try browser.signIn(email: email, password: password)
        try #require(response.status == 303, "sign-in answered \(response.status): \(response.text.prefix(400))")
        try #require(response.header("Location") == "/portal/profile")
        return browser
    }

    /// Runs SQL on the console's database directly (to arrange states the UI cannot reach yet).
    func sql(_ statement: String, _ args: SQLBindable...) throws {
        let db = try Database(path: directory.file("console.db"))
        defer { db.close() }
        try db.run(statement, args)
    }

    func count(_ query: String, _ args: SQLBindable...) throws -> Int {
        let db = try Database(path: directory.file("console.db"))
        defer { db.close() }
        return try db.queryOne(query, args)?.int("n") ?? -1
    }
}

/// The console's access log, collected.
final class AccessLogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

extension HTTPClient {
    /// The CSRF token of the first form on a page.
    func csrfToken(from page: HTTPResponse) throws -> String {
        let text = page.text
        guard let range = text.range(of: "name=\"csrf_token\" value=\"") else {
            throw TestFailure("no csrf_token on the page (status \(page.status))")
        }
        let rest = text[range.upperBound...]
        return String(rest[..<rest.firstIndex(of: "\"")!])
    }

    /// GETs a page and POSTs a form with that page's CSRF token.
    func submit(_ action: String, from page: String, _ fields: [(String, String)]) throws -> HTTPResponse {
        let token = try csrfToken(from: try get(page))
        return try post(action, form: [("csrf_token", token)] + fields)
    }

    /// Both sign-in steps.
    func signIn(email: String, password: String) throws -> HTTPResponse {
        let login = try get("/login")
        let token = try csrfToken(from: login)
        let step = try post("/login", form: [("csrf_token", token), ("email", email)])
        guard step.status == 200 else { return step }
        return try post("/login", form: [("csrf_token", token), ("email", email), ("password", password)])
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
