import Foundation
import Portal
import Testing
import TestSupport

/// The authenticator set-up on the phone it runs on (issue 18 item 3): the page names what the app will
/// show, and offers the `otpauth://` URI as a link, the same URI the QR code carries.
@Suite struct AuthenticatorSetupPageTests {
    @Test("The set-up page names the issuer and account the app will list, and links the QR code's own otpauth URI")
    func namesAndLink() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let setup = try browser.follow(try browser.submit("/portal/profile/security/totp/enable", from: "/portal/profile/security", []))
        #expect(setup.text.contains("Your app will list it as <strong>ClientOne Console</strong> (jane@northwind.example)."))
        let href = try #require(setup.text.captures("<a class=\"button button--secondary\" href=\"(otpauth://[^\"]+)\">Open in authenticator app</a>").first)
        let svg = try #require(setup.text.captures("(<svg.*?</svg>)").first)
        #expect(href.replacingOccurrences(of: "&amp;", with: "&") == (try Oracles.decodeQR(svg: svg)))
        // The link comes before the QR code: on a phone it is what the person can use.
        let link = try #require(setup.text.range(of: "Open in authenticator app</a>"))
        let qr = try #require(setup.text.range(of: "<div class=\"setup__qr\">"))
        #expect(link.lowerBound < qr.lowerBound)
    }
}
