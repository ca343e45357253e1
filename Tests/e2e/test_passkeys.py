"""A passkey in a real browser: Chromium's virtual authenticator registers one on the Security tab,
the person signs out, and signs in with it without typing an email or password."""

import unittest

from selenium.webdriver.common.virtual_authenticator import VirtualAuthenticatorOptions

from console import BrowserTest, Console, Page, chromium


class PasskeyInBrowserTest(BrowserTest):
    def add_authenticator(self):
        options = VirtualAuthenticatorOptions()
        options.protocol = VirtualAuthenticatorOptions.Protocol.CTAP2
        options.transport = VirtualAuthenticatorOptions.Transport.INTERNAL
        options.has_resident_key = True
        options.has_user_verification = True
        options.is_user_verified = True
        self.driver.add_virtual_authenticator(options)

    def test_register_sign_out_and_sign_in_with_the_passkey(self):
        self.add_authenticator()
        page = self.page
        page.sign_in("jane.doe@northwind.example")
        page.wait_for_path("/portal/profile")
        page.open("/portal/profile/security")
        self.assertIn("No security keys or passkeys yet.", self.driver.page_source)
        page.find("#passkey_name").send_keys("Test laptop")
        page.find("form[data-passkey-register] button[type=submit]").click()
        page.wait.until(lambda d: "Your key was added" in d.page_source)
        self.assertIn("Test laptop", page.find("#passkeys").text)
        self.assertIn("Never used", page.find("#passkeys").text)
        page.check("security-with-passkey")

        page.sign_out()
        page.open("/login")
        page.find("[data-passkey-signin]").click()
        page.wait_for_path("/portal/profile")
        self.assertIn("Jane Doe", page.find(".account-header__name").text)
        page.open("/portal/profile/security")
        self.assertIn("Last used", page.find("#passkeys").text)
        page.screenshot("passkey-signed-in")

        # With the password, the second step names the account and offers the key first, one way at a time.
        page.sign_out()
        page.sign_in("jane.doe@northwind.example")
        page.wait_for_path("/login/mfa")
        self.assertIn("Signing in as jane.doe@northwind.example", page.find(".auth__account").text)
        self.assertFalse(self.driver.find_elements("css selector", "form[action='/login/mfa']"))
        page.check("mfa-passkey")
        page.find("[data-passkey-signin]").click()
        page.wait_for_path("/portal/profile")


class AdministratorNoticeInBrowserTest(unittest.TestCase):
    def test_view_as_customer_shows_the_notice_and_ends(self):
        console = Console()
        driver = chromium()
        try:
            page = Page(driver, console)
            page.open("/admin/login")
            page.find("#email").send_keys("morgan@msp.example")
            page.find("#password").send_keys("Northwind-demo-2026")
            page.find("form[action='/admin/login'] button[type=submit]").click()
            page.wait_for_path("/admin")
            page.check("admin-clients")
            driver.find_element("link text", "Northwind Traders").click()
            page.check("admin-client")
            driver.find_element("link text", "Jane Doe").click()
            page.check("admin-user")
            page.find("#reason").send_keys("Ticket 1001: check notification settings")
            page.find("form[action$='/impersonate'] button[type=submit]").click()
            page.wait_for_path("/portal/profile")
            notice = page.find(".impersonation")
            self.assertTrue(notice.is_displayed())
            self.assertIn("An administrator (Morgan Reyes) is viewing this account.", notice.text)
            page.check("impersonation-profile")
            self.assertIn("Reason: “Ticket 1001: check notification settings”", notice.text)
            self.assertIn("30 of 30 minutes left", notice.text)
            page.open("/portal/profile/security")
            page.check("impersonation-security")
            # What only Jane may do is shown disabled, saying so; nothing live that would fail.
            add_key = driver.find_element("xpath", "//button[normalize-space()='Add Key']")
            self.assertFalse(add_key.is_enabled())
            self.assertIn("Only Jane Doe can change this.", driver.find_element("id", "passkeys-owner-only").text)
            self.assertFalse(driver.find_elements("css selector", "form[data-passkey-register]"))
            # The notice stays at the top of the window at both widths while the page scrolls.
            for width in (375, 1280):
                driver.set_window_size(width, 700)
                driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
                page.wait.until(lambda d: d.execute_script("return window.scrollY") > 300)
                top = driver.execute_script("return document.querySelector('.impersonation').getBoundingClientRect().top")
                self.assertEqual(0, round(top), f"the notice is at the top of the window at {width}px after scrolling")
                page.screenshot(f"impersonation-security-scrolled-{width}")
            driver.set_window_size(1280, 900)
            # A refusal (a page's form posted anyway, e.g. from another tab opened before the view) keeps the notice.
            driver.execute_script("""
                const form = document.createElement('form');
                form.method = 'post'; form.action = '/portal/profile/security/sessions/revoke-others';
                const token = document.querySelector('input[name=csrf_token]').cloneNode();
                form.appendChild(token); document.body.appendChild(form); form.submit();""")
            page.wait.until(lambda d: "Not available while an administrator views this account" in d.page_source)
            self.assertIn("An administrator (Morgan Reyes) is viewing this account.", page.find(".impersonation").text)
            page.check("impersonation-refusal")
            driver.find_element("link text", "Back to the account").click()
            page.wait_for_path("/portal/profile/security")
            page.find(".impersonation button[type=submit]").click()
            page.wait.until(lambda d: "/admin/users/" in d.current_url)
            page.open("/admin/audit")
            page.check("admin-audit")
            page.open("/admin/outbox")
            page.check("admin-outbox")
            page.open("/admin/security")
            page.check("admin-security")
        finally:
            driver.quit()
            self.assertIn("Stopped.", console.stop())


if __name__ == "__main__":
    unittest.main()
