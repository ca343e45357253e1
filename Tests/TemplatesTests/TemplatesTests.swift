import Foundation
import Testing
@testable import Templates

@Suite struct HTMLEscapingTests {
    static let payloads = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' onmouseover='alert(1)",
        "&lt;already escaped&gt;",
        "javascript:alert(1)//\"'<>&",
    ]

    @Test("Interpolated text is escaped", arguments: payloads)
    func escapesText(_ payload: String) {
        let html: HTML = "<p>\(payload)</p>"
        #expect(!html.rendered.contains("<script"))
        #expect(!html.rendered.contains("<img"))
        #expect(!html.rendered.dropFirst(3).dropLast(4).contains("\""))
        #expect(!html.rendered.dropFirst(3).dropLast(4).contains("'"))
        #expect(!html.rendered.dropFirst(3).dropLast(4).contains("<"))
    }

    @Test("Raw markup is not escaped, and only through unsafeRaw")
    func doesNotEscapeRawText() {
        let html: HTML = "<div>\(unsafeRaw: "<b>bold</b>")</div>"
        #expect(html.rendered == "<div><b>bold</b></div>")
    }

    @Test("Escaping is applied exactly once, so an ampersand stays visible as typed")
    func escapesAmpersandEveryTime() {
        let html: HTML = "\("&amp;")"
        #expect(html.rendered == "&amp;amp;")
        #expect(HTML.escape("a & b") == "a &amp; b")
    }

    @Test("Attribute values cannot be broken out of, with either quote")
    func escapesAttributes() {
        let value = "x\" autofocus onfocus=\"alert(1)"
        let html: HTML = "<input value=\"\(value)\">"
        #expect(html.rendered == "<input value=\"x&quot; autofocus onfocus=&quot;alert(1)\">")
        #expect(HTML.escape("it's") == "it&#39;s")
    }

    @Test("Nested HTML is inserted once, not escaped twice")
    func nestsHTML() {
        let inner: HTML = "<em>\("<x>")</em>"
        let outer: HTML = "<p>\(inner)</p>"
        #expect(outer.rendered == "<p><em>&lt;x&gt;</em></p>")
    }

    @Test("Optional text renders nothing when absent and is escaped when present")
    func optionalText() {
        let none: String? = nil
        let some: String? = "<b>"
        #expect(("[\(none)]" as HTML).rendered == "[]")
        #expect(("[\(some)]" as HTML).rendered == "[&lt;b&gt;]")
    }

    @Test("Multi-byte text next to escaped characters keeps every byte; the bytes sent are the text shown")
    func multiByteText() {
        let name = "Zoë <Ørsted> & 日本 \u{1F600}'"
        let html: HTML = "<p title=\"\(name)\">\(name)</p>\(unsafeRaw: "<br>")\(42)"
        let escaped = "Zoë &lt;Ørsted&gt; &amp; 日本 \u{1F600}&#39;"
        #expect(html.rendered == "<p title=\"\(escaped)\">\(escaped)</p><br>42")
        #expect(html.bytes == Array(html.rendered.utf8))
        #expect(HTML.join(["a", "<b>", HTML.unsafeRaw("é")], separator: "|").rendered == "a|<b>|é")
        #expect(HTML.escape(name) == escaped)
    }
}

/// The markup writer works on bytes, eight at a time when searching for what to escape, and grows its
/// buffer by itself; these pin what a user would see go wrong if any of that slipped.
@Suite struct MarkupWriterTests {
    /// The escaping rule, written the obvious way.
    static func reference(_ text: String) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    @Test("Each special character is escaped at every position of texts up to 40 bytes (every 8-byte boundary)")
    func escapesAtEveryPosition() {
        for special in ["&", "<", ">", "\"", "'"] {
            for length in 1...40 {
                for position in 0..<length {
                    var text = String(repeating: "a", count: length)
                    let index = text.index(text.startIndex, offsetBy: position)
                    text.replaceSubrange(index...index, with: special)
                    let html: HTML = "[\(text)]"
                    #expect(html.rendered == "[" + Self.reference(text) + "]", "\(special) at \(position) of \(length)")
                }
            }
        }
    }

    @Test("Random texts of bytes near the special ones escape exactly as the reference does")
    func escapesRandomTexts() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("&<>\"'=;:%#!-0123456789?@ABab é日\u{1F600}\n\t")
        for _ in 0..<2_000 {
            let text = String((0..<Int.random(in: 0...70, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(HTML.escape(text) == Self.reference(text))
            #expect(("\(text)" as HTML).bytes == Array(Self.reference(text).utf8))
        }
    }

    @Test("Numbers are written in decimal, negative and extreme ones included")
    func writesNumbers() {
        for number in [0, 7, -7, 10, 1_800, -1_234_567, Int.max, Int.min] {
            #expect(("\(number)" as HTML).rendered == String(number))
        }
    }

    @Test("A page far larger than its literals grows without losing or reordering a byte")
    func growsLargePages() {
        let rows = (0..<3_000).map { "<li>\("row \($0) <&>")</li>" as HTML }
        let page: HTML = "<ul>\(rows)</ul>"
        let expected = "<ul>" + (0..<3_000).map { "<li>row \($0) &lt;&amp;&gt;</li>" }.joined() + "</ul>"
        #expect(page.rendered == expected)
        #expect(page.byteCount == expected.utf8.count)
        #expect(HTML.join(rows, separator: "\n").rendered == (0..<3_000).map { "<li>row \($0) &lt;&amp;&gt;</li>" }.joined(separator: "\n"))
    }

    @Test("Empty pieces are equal to nothing, and equality compares the markup")
    func emptyAndEquality() {
        let blank: HTML = ""
        let empty: String = ""
        #expect(blank == .empty)
        #expect(("\(empty)" as HTML) == .empty)
        #expect(HTML.empty.bytes.isEmpty && HTML.empty.rendered.isEmpty)
        #expect(("<b>\("x")</b>" as HTML) == ("<b>x</b>" as HTML))
        #expect(("<b>\("x")</b>" as HTML) != ("<b>y</b>" as HTML))
    }

    @Test("Text that is not native UTF-8 storage (bridged or a substring's copy) is escaped the same")
    func nonContiguousText() {
        let decoded = String(decoding: Array("<é & \"x\">".utf16), as: UTF16.self)
        #expect(HTML.escape(decoded) == "&lt;é &amp; &quot;x&quot;&gt;")
        let substring = String("--<b>--".dropFirst(2).dropLast(2))
        #expect(("\(substring)" as HTML).rendered == "&lt;b&gt;")
    }
}

@Suite struct PageTests {
    static let chrome = Chrome(title: "Profile", account: AccountHeader(name: "<Jane>", email: "jane@example.com"),
                               csrfToken: "tok\"en", tab: .profile)

    static func profile(title: String? = nil, mobile: String? = nil, billing: Bool = false,
                        form: ProfilePage.EditForm = .init(name: "Jane", phone: "")) -> String {
        ProfileView.render(ProfilePage(
            chrome: chrome, email: "jane@example.com", company: "Northwind & Co", title: title, mobile: mobile, form: form,
            notifications: .init(inApp: true, ticketStatusEmail: false, ticketReplyEmail: true, overdueInvoiceEmail: true,
                                 billingEnabled: billing))).rendered
    }

    @Test("Profile tab shows the account information card with title and mobile only when set")
    func accountInformation() {
        let bare = Self.profile()
        #expect(bare.contains("Account Information"))
        #expect(bare.contains("Northwind &amp; Co"))
        #expect(bare.contains("To have any of these values changed, contact your MSP."))
        #expect(!bare.contains("<dt>Title</dt>"))
        #expect(!bare.contains("<dt>Mobile</dt>"))
        let full = Self.profile(title: "Office Manager", mobile: "+1 555 0100")
        #expect(full.contains("<dt>Title</dt><dd>Office Manager</dd>"))
        #expect(full.contains("<dt>Mobile</dt><dd>+1 555 0100</dd>"))
    }

    @Test("The invoice switch appears only when the client has billing")
    func invoiceSwitch() {
        #expect(!Self.profile(billing: false).contains("Overdue invoice reminders (email)"))
        #expect(Self.profile(billing: true).contains("Overdue invoice reminders (email)"))
    }

    @Test("A field error is tied to its input for assistive technology")
    func fieldErrors() {
        let page = Self.profile(form: .init(name: "", phone: "abc", nameError: "Enter your name.", phoneError: "Use digits."))
        #expect(page.contains("id=\"name\" name=\"name\" type=\"text\" value=\"\" required aria-required=\"true\" autocomplete=\"name\" maxlength=\"100\" aria-describedby=\"name-error\" aria-invalid=\"true\""))
        #expect(page.contains("<p class=\"field__error\" id=\"name-error\">Enter your name.</p>"))
        #expect(page.contains("value=\"abc\""))
    }

    @Test("Header shows the escaped name, email and the initial; every form carries the CSRF token")
    func headerAndCSRF() {
        let page = Self.profile()
        #expect(page.contains("&lt;Jane&gt;"))
        #expect(!page.contains("<Jane>"))
        #expect(page.contains("<div class=\"avatar\" aria-hidden=\"true\">J</div>"))
        let forms = page.components(separatedBy: "<form").count - 1
        let tokens = page.components(separatedBy: "name=\"csrf_token\" value=\"tok&quot;en\"").count - 1
        #expect(forms == 4, "profile, notifications, and Sign Out in the header and the footer")
        #expect(tokens == forms)
        #expect(page.contains("aria-current=\"page\">Profile</a>"))
    }

    @Test("Pages carry no inline script")
    func noInlineScript() {
        for page in [Self.profile(), LoginView.render(LoginPage(step: .email, csrfToken: "t")).rendered] {
            #expect(!page.contains("<script>"))
            #expect(!page.contains("onclick"))
            #expect(!page.contains("style=\""))
        }
    }

    @Test("The SSO step has no password field; the password step has one")
    func loginSteps() {
        let sso = LoginView.render(LoginPage(step: .singleSignOn, csrfToken: "t", email: "a@b.example")).rendered
        #expect(sso.contains("Your organization requires single sign-on"))
        #expect(!sso.contains("type=\"password\""))
        let password = LoginView.render(LoginPage(step: .password, csrfToken: "t", email: "a@b.example")).rendered
        #expect(password.contains("type=\"password\""))
        #expect(password.contains("autocomplete=\"current-password\""))
    }

    @Test("The avatar initial comes from the first letter of the name")
    func initials() {
        #expect(AccountHeader(name: "  émile", email: "e@x.example").initial == "É")
        #expect(AccountHeader(name: "", email: "zed@x.example").initial == "Z")
    }
}
