import Foundation
import Store
import Testing
import TestSupport

/// Runs the real `clientone` binary, built beside the test bundle.
struct CLI {
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("clientone").path

    let directory = TemporaryDirectory()
    var database: String { directory.file("cli.db") }

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil) throws -> ProcessOutput {
        try ChildProcess.run(Self.executable, arguments + ["--db", database], environment: ["PATH": "/usr/bin:/bin"], input: stdin)
    }

    func count(_ sql: String) throws -> Int {
        let db = try Database(path: database)
        defer { db.close() }
        return try db.queryOne(sql)?.int("n") ?? -1
    }
}

@Suite struct CLITests {
    @Test("client add, user add and staff add create what they say")
    func addCommands() throws {
        let cli = CLI()
        let client = try cli.run(["client", "add", "--name", "Northwind Traders", "--billing"])
        #expect(client.status == 0, "\(client.stderr)")
        #expect(client.stdout.contains("Added client 1: Northwind Traders"))
        let user = try cli.run(["user", "add", "--client", "Northwind Traders", "--email", "Jane@Northwind.example", "--name", "Jane Doe",
                                "--title", "Office Manager", "--password-stdin"], stdin: "a good password\n")
        #expect(user.status == 0, "\(user.stderr)")
        #expect(user.stdout.contains("jane@northwind.example (active)"))
        let invited = try cli.run(["user", "add", "--client", "1", "--email", "sam@northwind.example", "--name", "Sam Lee"])
        #expect(invited.stdout.contains("(invited)"))
        let staff = try cli.run(["staff", "add", "--email", "morgan@msp.example", "--name", "Morgan", "--password-stdin"], stdin: "staff password 1\n")
        #expect(staff.status == 0, "\(staff.stderr)")
        #expect(try cli.count("SELECT count(*) AS n FROM customer_users") == 2)
        #expect(try cli.count("SELECT count(*) AS n FROM staff WHERE password_hash LIKE 'pbkdf2-sha256$%'") == 1)
    }

    @Test("Bad input exits non-zero with one line and changes nothing")
    func refusals() throws {
        let cli = CLI()
        try cli.run(["client", "add", "--name", "Northwind Traders"])
        try cli.run(["user", "add", "--client", "Northwind Traders", "--email", "jane@northwind.example", "--name", "Jane"])
        let cases: [([String], String?, String)] = [
            (["client", "add", "--name", "NORTHWIND traders"], nil, "already exists"),
            (["user", "add", "--client", "Nobody Inc", "--email", "a@b.example", "--name", "A"], nil, "unknown client"),
            (["user", "add", "--client", "Northwind Traders", "--email", "JANE@northwind.example", "--name", "J"], nil, "already exists"),
            (["user", "add", "--client", "Northwind Traders", "--email", "not-an-email", "--name", "J"], nil, "invalid email"),
            (["user", "add", "--client", "Northwind Traders", "--email", "b@northwind.example", "--name", "B", "--password-stdin"], "short\n", "at least 8"),
            (["staff", "add", "--email", "s@msp.example", "--name", "S"], nil, "--password-stdin"),
            (["client", "set", "Nobody Inc", "--portal", "off"], nil, "unknown client"),
            (["client", "set", "Northwind Traders"], nil, "nothing to change"),
        ]
        for (arguments, stdin, reason) in cases {
            let outcome = try cli.run(arguments, stdin: stdin)
            #expect(outcome.status != 0, "\(arguments) succeeded")
            let lines = outcome.stderr.split(separator: "\n").filter { !$0.isEmpty }
            #expect(lines.first?.contains(reason) == true, "\(arguments): \(outcome.stderr)")
        }
        #expect(try cli.count("SELECT count(*) AS n FROM clients") == 1)
        #expect(try cli.count("SELECT count(*) AS n FROM customer_users") == 1)
        #expect(try cli.count("SELECT count(*) AS n FROM staff") == 0)
    }

    @Test("client set changes only the settings named")
    func clientSet() throws {
        let cli = CLI()
        try cli.run(["client", "add", "--name", "Contoso", "--billing"])
        let outcome = try cli.run(["client", "set", "contoso", "--sso-only", "on", "--portal", "off"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("portal off, sso-only on, require-mfa off, billing on"))
    }

    @Test("backup writes a copy that opens with the same data, and refuses to overwrite")
    func backup() throws {
        let cli = CLI()
        try cli.run(["client", "add", "--name", "Northwind Traders"])
        let target = cli.directory.file("copy.db")
        #expect(try cli.run(["backup", "--to", target]).status == 0)
        let copy = try Database(path: target)
        #expect(try copy.queryOne("SELECT name FROM clients")?.string("name") == "Northwind Traders")
        copy.close()
        let again = try cli.run(["backup", "--to", target])
        #expect(again.status != 0)
    }

    @Test("serve refuses a non-loopback host without an https public URL")
    func serveRefusesPublicHost() throws {
        let outcome = try CLI().run(["serve", "--host", "0.0.0.0", "--port", "0"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("needs --public-url with an https:// URL"))
    }

    @Test("serve refuses a thread count outside 1 to 64, and an idle time-out outside 30 to 86400 seconds")
    func serveRefusesBadNumbers() throws {
        for (arguments, message) in [(["--threads", "0"], "--threads must be between 1 and 64"),
                                      (["--threads", "65"], "--threads must be between 1 and 64"),
                                      (["--idle-timeout", "5"], "--idle-timeout must be between 30 and 86400 seconds")] {
            let cli = CLI()
            let outcome = try cli.run(["serve", "--port", "0", "--db", cli.database] + arguments)
            #expect(outcome.status != 0)
            #expect(outcome.stderr.contains(message))
            // Refused before anything was opened: no database was created.
            #expect(!FileManager.default.fileExists(atPath: cli.database))
        }
    }

    @Test("serve --demo seeds once, serves, and stops cleanly on SIGTERM")
    func serveDemoAndStop() throws {
        let cli = CLI()
        let server = try ServeProcess(["--demo"], database: cli.database)
        #expect(server.printed.contains("jane.doe@northwind.example"))
        let login = try HTTPClient(port: server.port).signIn(email: "jane.doe@northwind.example", password: "Northwind-demo-2026")
        #expect(login.status == 303)
        let output = server.stop()
        #expect(server.terminationStatus == 0)
        #expect(output.contains("Stopped."))

        #expect(try cli.count("SELECT count(*) AS n FROM clients") == 3)
    }

    @Test("serve's access log: each request's line appears within a second, whole and in order, and every one is out before Stopped.")
    func accessLogLines() throws {
        let cli = CLI()
        let server = try ChildProcess.start(CLI.executable, ["serve", "--port", "0", "--db", cli.database], environment: ServeProcess.environment)
        var text: String { server.text }
        #expect(server.waitForOutput(within: 60) { $0.contains("Press Ctrl-C") })
        let port = try #require(text.firstMatch(of: /localhost:(\d+)\/login/).flatMap { UInt16($0.1) })
        let client = HTTPClient(port: port)
        // A single request is logged within a second, without waiting for a batch to fill.
        #expect(try client.get("/healthz").status == 200)
        #expect(eventually(within: 1) { text.contains("\"GET /healthz\" 200") })
        // Many at once: every line whole, in the order answered, all written by the time the server stops.
        for number in 1...400 { _ = try client.get("/n/\(number)") }
        let lines = server.stop().split(separator: "\n").map(String.init)
        let logged = lines.filter { $0.contains("\"GET /n/") }
        #expect(logged.count == 400)
        #expect(logged.enumerated().allSatisfy { $0.element.hasPrefix("127.0.0.1 \"GET /n/\($0.offset + 1)\" 404 ") })
        #expect(lines.last == "Stopped.")
        #expect(server.terminationStatus == 0)
    }
}
