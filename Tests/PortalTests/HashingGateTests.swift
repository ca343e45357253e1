import Foundation
@testable import Portal
import Testing
import TestSupport

@Suite struct HashingGateTests {
    @Test("Hashing runs on a bounded number of threads; a request that finds every turn taken is told busy, not queued")
    func bounded() throws {
        let gate = HashingGate(permits: 2, wait: 0.2)
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        for _ in 0..<2 {
            Thread {
                try? gate.run { inside.signal(); release.wait() }
            }.start()
        }
        inside.wait()
        inside.wait()
        let started = Date()
        #expect(throws: PortalBusy.self) { try gate.run { } }
        #expect(Date().timeIntervalSince(started) < 2, "refused after the wait, not held")
        release.signal()
        release.signal()
        usleep(50_000)
        #expect(try gate.run { 42 } == 42, "turns come back")
    }

    @Test("A busy console answers 503 with Retry-After and changes nothing")
    func busyPage() throws {
        let console = try TestConsole { $0.hashingThreads = 1 }
        try console.seedNorthwind()
        let browser = console.browser()
        let token = try browser.csrfToken(from: try browser.get("/login"))
        // Hold the only hashing turn while the sign-in asks for one.
        let hold = DispatchSemaphore(value: 0)
        let held = DispatchSemaphore(value: 0)
        Thread { try? console.portal.hasher.gate.run { held.signal(); hold.wait() } }.start()
        held.wait()
        let busy = try browser.post("/login", form: [("csrf_token", token), ("email", "jane@northwind.example"),
                                                     ("password", TestConsole.password)])
        hold.signal()
        #expect(busy.status == 503)
        #expect(busy.header("Retry-After") == "1")
        #expect(busy.text.contains("The console is busy checking passwords."))
        #expect(try console.count("SELECT count(*) AS n FROM login_throttle") == 0, "a busy answer is no failed attempt")
        #expect(try browser.signIn(email: "jane@northwind.example", password: TestConsole.password).status == 303)
    }
}
