import Portal
import Testing
import TestSupport

@Suite struct DemoTests {
    @Test("The demo seeds an empty database once; on a non-empty one it changes nothing")
    func seedsOnce() throws {
        let console = try TestConsole()
        let first = try #require(try console.portal.seedDemo())
        #expect(first.contains { $0.email == "jane.doe@northwind.example" })
        #expect(try console.count("SELECT count(*) AS n FROM clients") == 3)
        #expect(try console.portal.seedDemo() == nil)
        #expect(try console.count("SELECT count(*) AS n FROM customer_users") == 5)

        let other = try TestConsole()
        _ = try other.portal.addClient(name: "Existing", settings: ClientSettings())
        #expect(try other.portal.seedDemo() == nil)
        #expect(try other.count("SELECT count(*) AS n FROM clients") == 1)
    }

    @Test("Every demo sign-in with a password reaches the state its role describes")
    func demoSignIns() throws {
        let console = try TestConsole()
        let signIns = try #require(try console.portal.seedDemo())
        let jane = try console.browser().signIn(email: "jane.doe@northwind.example", password: signIns[0].password)
        #expect(jane.status == 303)
        let fabrikam = try console.browser().signIn(email: "lee.chen@fabrikam.example", password: signIns[0].password)
        #expect(fabrikam.text.contains("Portal not available"))
        let browser = console.browser()
        let token = try browser.csrfToken(from: try browser.get("/login"))
        let contoso = try browser.post("/login", form: [("csrf_token", token), ("email", "alex.kim@contoso.example")])
        #expect(contoso.text.contains("Your organization requires single sign-on"))
    }
}
