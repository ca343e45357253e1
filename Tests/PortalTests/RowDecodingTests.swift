import Portal
import Testing
import TestSupport

/// Rows the code cannot read are refused, not read with made-up defaults: a session whose sign-in
/// method or stage this version does not know opens nothing.
@Suite struct RowDecodingTests {
    @Test("A session row with an unknown sign-in method opens no page, instead of counting as a password sign-in")
    func unknownMethodOpensNothing() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let jane = try console.signedIn()
        #expect(try jane.get("/portal/profile").status == 200)
        try console.sql("UPDATE sessions SET method = 'sorcery'")
        let page = try jane.get("/portal/profile")
        #expect(page.status == 500)
        #expect(!page.text.contains("Jane Doe"))
    }

    @Test("A session row with an unknown stage opens no page, instead of counting as waiting for a second factor")
    func unknownStageOpensNothing() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let jane = try console.signedIn()
        try console.sql("UPDATE sessions SET stage = 'half-done'")
        let page = try jane.get("/portal/profile")
        #expect(page.status == 500)
        #expect(page.header("Location") == nil)
    }

    @Test("A customer row with text where a time belongs is refused, not read as never signed in")
    func mistypedColumnIsRefused() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let jane = try console.signedIn()
        // An INTEGER column keeps text that does not read as a number: SQLite's columns are typed loosely.
        try console.sql("UPDATE customer_users SET last_sign_in_at = 'yesterday'")
        #expect(try jane.get("/portal/profile").status == 500)
    }
}
