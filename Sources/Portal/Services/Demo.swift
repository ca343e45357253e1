import Store

/// One demo sign-in, printed by `serve --demo`.
public struct DemoSignIn: Sendable {
    public let role: String
    public let email: String
    public let password: String
}

extension Portal {
    /// The demo's sign-ins. Fixed and printed on purpose: it is a demo on loopback, not an account to keep.
    static let demoPassword = "Northwind-demo-2026"

    /// Seeds a realistic MSP customer into an empty database and returns the sign-ins; on a database
    /// that already holds anything, changes nothing and returns nil.
    public func seedDemo() throws -> [DemoSignIn]? {
        let empty = try pool.withConnection { db in
            try db.queryOne("""
                SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM customer_users) + (SELECT count(*) FROM staff) AS n
                """).map { try $0.decode("n", as: Int.self) } == 0
        }
        guard empty else { return nil }
        let password = Self.demoPassword
        _ = try addClient(name: "Northwind Traders", settings: ClientSettings(billingEnabled: true))
        _ = try addClient(name: "Contoso Health", settings: ClientSettings(ssoOnly: true))
        _ = try addClient(name: "Fabrikam Studios", settings: ClientSettings(portalEnabled: false))
        _ = try addCustomer(NewCustomer(client: "Northwind Traders", email: "jane.doe@northwind.example", name: "Jane Doe",
                                        phone: "+1 (555) 010-2030", title: "Office Manager", mobile: "+1 555 010 4455",
                                        password: password))
        _ = try addCustomer(NewCustomer(client: "Northwind Traders", email: "sam.lee@northwind.example", name: "Sam Lee",
                                        password: password))
        _ = try addCustomer(NewCustomer(client: "Northwind Traders", email: "priya.shah@northwind.example", name: "Priya Shah",
                                        title: "Finance Lead", password: password))
        _ = try addCustomer(NewCustomer(client: "Contoso Health", email: "alex.kim@contoso.example", name: "Alex Kim"))
        _ = try addCustomer(NewCustomer(client: "Fabrikam Studios", email: "lee.chen@fabrikam.example", name: "Lee Chen",
                                        password: password))
        _ = try addStaff(email: "morgan@msp.example", name: "Morgan Reyes", password: password)
        return [
            DemoSignIn(role: "customer (Northwind Traders, billing on)", email: "jane.doe@northwind.example", password: password),
            DemoSignIn(role: "customer (Northwind Traders)", email: "sam.lee@northwind.example", password: password),
            DemoSignIn(role: "customer (Contoso Health, SSO-only: shows the SSO notice)", email: "alex.kim@contoso.example", password: "-"),
            DemoSignIn(role: "customer (Fabrikam Studios, portal disabled)", email: "lee.chen@fabrikam.example", password: password),
            DemoSignIn(role: "MSP staff", email: "morgan@msp.example", password: password),
        ]
    }
}
