import Foundation
import Store
import Testing
import TestSupport
import Threads
#if canImport(Glibc)
import Glibc
#endif

/// Kills the real server with SIGKILL while several browsers save their profiles, starts it again on
/// the same file, and checks that the database is intact and holds every save the server acknowledged.
@Suite struct CrashSafetyTests {
    @Test("SIGKILL during writes: integrity_check ok, and every acknowledged write is there")
    func killDuringWrites() throws {
        let cli = CLI()
        try cli.run(["client", "add", "--name", "Northwind Traders"])
        let writers = 4
        for index in 0..<writers {
            let added = try cli.run(["user", "add", "--client", "Northwind Traders", "--email", "writer\(index)@northwind.example",
                                     "--name", "Writer \(index)", "--password-stdin"], stdin: "crash test password\n")
            try #require(added.status == 0, "user add: \(added.stderr)")
        }
        var server = try ServeProcess([], database: cli.database)
        var browsers: [HTTPClient] = []
        for index in 0..<writers {
            let browser = HTTPClient(port: server.port)
            let answer = try browser.signIn(email: "writer\(index)@northwind.example", password: "crash test password")
            try #require(answer.status == 303)
            browsers.append(browser)
        }

        // Each writer saves "Writer N save K" with K counting up, and remembers the last K acknowledged.
        let acknowledged = Locked<[Int]>(Array(repeating: -1, count: writers))
        let attempted = Locked<[Int]>(Array(repeating: -1, count: writers))
        let finished = DispatchSemaphore(value: 0)
        for (index, browser) in browsers.enumerated() {
            // Threads of their own: blocking socket calls on GCD's pool would leave some writers unstarted.
            Thread {
                defer { finished.signal() }
                var save = 0
                while save < 10_000 {
                    guard let token = try? browser.csrfToken(from: try browser.get("/portal/profile")) else { return }
                    attempted.withLock { $0[index] = save }
                    guard let answer = try? browser.post("/portal/profile", form: [("csrf_token", token), ("name", "Writer \(index) save \(save)"),
                                                                                   ("phone", "")]),
                          answer.status == 303 else { return }
                    acknowledged.withLock { $0[index] = save }
                    save += 1
                }
            }.start()
        }
        usleep(1_500_000)
        server.crash()
        for _ in 0..<writers { #expect(finished.wait(timeout: .now() + 30) == .success) }
        let acks = acknowledged.withLock { $0 }
        #expect(acks.allSatisfy { $0 > 0 }, "every writer got saves through before the kill: \(acks)")

        server = try ServeProcess([], database: cli.database)
        _ = server
        let db = try Database(path: cli.database)
        defer { db.close() }
        #expect(try db.queryOne("PRAGMA integrity_check")?.string("integrity_check") == "ok")
        for index in 0..<writers {
            let name = try #require(try db.queryOne("SELECT name FROM customer_users WHERE email = ?",
                                                    "writer\(index)@northwind.example")?.string("name"))
            let stored = Int(name.split(separator: " ").last ?? "") ?? -1
            #expect(stored >= acks[index], "writer \(index): acknowledged save \(acks[index]) but the file has \(name)")
            #expect(stored <= attempted.withLock { $0[index] }, "writer \(index): a save that was never sent")
            let events = try db.queryOne("""
                SELECT count(*) AS n FROM audit_events e JOIN customer_users u ON u.id = e.customer_user_id
                WHERE u.email = ? AND e.kind = 'profile_updated'
                """, "writer\(index)@northwind.example")?.int("n") ?? 0
            #expect(events >= acks[index] + 1, "every acknowledged save has its audit event")
        }
    }
}
