import Testing
@testable import Mail

/// Address validation and the header forms of display names.
@Suite struct MailAddressTests {
    @Test("ordinary addresses are accepted as given", arguments: [
        "jane.doe@northwind.example", "j+reset@mail.northwind.example", "o'brien@example.com",
        "x@localhost", "first_last-1@sub-domain.example.org", "xn--bcher-kva@xn--bcher-kva.example",
    ])
    func acceptsOrdinaryAddresses(_ text: String) throws {
        let address = try MailAddress(text)
        #expect(address.address == text)
        #expect(address.displayName == nil)
        #expect(address.headerValue == text)
    }

    @Test("addresses that could break a header or a command are refused", arguments: [
        "", "plain", "a@@example.com", "a@b@example.com", "@example.com", "jane@",
        "jane@example.com\r\nRCPT TO:<evil@example.com>", "jane@example.com\n", "jane\r@example.com",
        "<jane@example.com>", "jane@example.com>", "jane doe@example.com", ".jane@example.com",
        "jane.@example.com", "ja..ne@example.com", "jane@-example.com", "jane@example..com",
        "jane@example.com.", "jäne@example.com", "jane@exämple.com", "\"jane\"@example.com",
        "jane@[127.0.0.1]", String(repeating: "a", count: 65) + "@example.com",
        "jane@" + String(repeating: "a", count: 64) + ".example",
        "jane@" + Array(repeating: "abcdefghij", count: 25).joined(separator: "."),
    ])
    func refusesBadAddresses(_ text: String) {
        #expect {
            _ = try MailAddress(text)
        } throws: { error in
            guard case .invalidAddress = error as? MailError else { return false }
            return true
        }
    }

    @Test("a line break in a display name is refused as a header error")
    func refusesLineBreakInDisplayName() {
        #expect(throws: MailError.invalidHeader("display name contains a line break")) {
            try MailAddress("jane@example.com", displayName: "Jane\r\nBcc: evil@example.com")
        }
        #expect(throws: MailError.invalidHeader("display name contains the control character U+2028")) {
            try MailAddress("jane@example.com", displayName: "Jane\u{2028}Doe")
        }
    }

    @Test("an empty display name counts as none")
    func emptyDisplayName() throws {
        #expect(try MailAddress("jane@example.com", displayName: "").displayName == nil)
    }

    @Test("display names are written as atoms, quoted strings or encoded words", arguments: [
        ("Jane Doe", "Jane Doe <jane@example.com>"),
        ("Doe, Jane", "\"Doe, Jane\" <jane@example.com>"),
        ("J. \"JD\" Doe\\", "\"J. \\\"JD\\\" Doe\\\\\" <jane@example.com>"),
        ("Zoë Ångström", "=?utf-8?B?Wm/DqyDDhW5nc3Ryw7Zt?= <jane@example.com>"),
    ])
    func displayNameForms(_ name: String, _ expected: String) throws {
        let address = try MailAddress("jane@example.com", displayName: name)
        #expect(address.headerValue == expected)
    }
}
