import Foundation
import Portal
import Testing
import TestSupport

/// Sign Out in the header of every signed-in page (issue 18 item 2), not only at the foot of a long page:
/// the customer's tabs, the administrator's pages, and a shared computer's, beside its badge.
@Suite struct SignOutInReachTests {
    /// The page's header, up to where the content starts.
    static func header(_ page: HTTPResponse) -> Substring {
        let text = page.text
        guard let header = text.range(of: "<header class=\"site-header\">"), let main = text.range(of: "<main") else { return "" }
        return text[header.lowerBound..<main.lowerBound]
    }

    @Test("Sign Out is in the header of the customer's pages and the administrator's, posting to their own sign-out")
    func headerSignOut() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let customer = try console.signedIn()
        for path in ["/portal/profile", "/portal/profile/security"] {
            let header = Self.header(try customer.get(path))
            #expect(header.contains("<form class=\"sign-out sign-out--header\" method=\"post\" action=\"/logout\">"), "\(path)")
            #expect(header.contains(">Sign Out</button>"), "\(path)")
        }
        let staff = try console.staffSignedIn()
        #expect(Self.header(try staff.get("/admin")).contains("action=\"/admin/logout\""))
        // Signed out, the header offers nothing.
        #expect(!Self.header(try console.browser().get("/login")).contains("Sign Out"))
        // And it works: the header's form signs out.
        let token = try customer.csrfToken(from: try customer.get("/portal/profile"))
        #expect(try customer.post("/logout", form: [("csrf_token", token)]).header("Location") == "/login?signed_out=1")
    }

    @Test("On a shared computer Sign Out stands beside the “Shared computer” badge")
    func kioskHeader() throws {
        let console = try TestConsole { $0.kiosk = true }
        try console.seedNorthwind()
        let header = Self.header(try console.signedIn().get("/portal/profile"))
        let badge = try #require(header.range(of: "Shared computer"))
        let signOut = try #require(header.range(of: ">Sign Out</button>"))
        #expect(badge.lowerBound < signOut.lowerBound)
    }
}
