import Store
import Testing
@testable import Portal
import TestSupport

/// The Security tab's "Recent activity" over a long history.
@Suite struct ActivityTests {
    @Test("Shows the 20 newest of thousands of events, newest first, other kinds and accounts left out, without sorting the history")
    func newestOfLongHistory() throws {
        let console = try TestConsole()
        let jane = try console.seedNorthwind()
        let start: Int64 = 1_800_000_000
        for number in 0..<3_000 {
            // Every third event is not an activity kind; every fifth belongs to another account.
            let kind = number % 3 == 0 ? "csrf_refused" : "sign_in"
            try console.sql("INSERT INTO audit_events (at, kind, customer_user_id, detail) VALUES (?, ?, ?, ?)",
                            start + Int64(number / 2), kind, number % 5 == 0 ? jane.id + 1 : jane.id, "event \(number)")
        }
        let shown = try console.portal.recentActivity(customerID: jane.id, limit: 20).items
        let expected = (0..<3_000).reversed().filter { $0 % 3 != 0 && $0 % 5 != 0 }.prefix(20)
        #expect(shown.map(\.text) == expected.map { "Signed in with event \($0)" })
        #expect(shown.map(\.at) == expected.map { start + Int64($0 / 2) })
        // The plan walks the (customer, time) index backwards and stops at the limit: no sort step.
        let db = try Database(path: console.directory.file("console.db"))
        defer { db.close() }
        let plan = try db.query("EXPLAIN QUERY PLAN \(Portal.recentActivitySQL(customerID: jane.id, limit: 20))").compactMap { $0.string("detail") }
        #expect(plan.contains { $0.contains("audit_events_customer") })
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    }
}
