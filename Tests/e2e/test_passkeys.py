"""A passkey in a real browser: Chromium's virtual authenticator registers one on the Security tab,
the person signs out, and signs in with it without typing an email or password."""

import unittest

from selenium.webdriver.common.virtual_authenticator import VirtualAuthenticatorOptions

from console import Console, Page, chromium


class PasskeyInBrowserTest(unittest.TestCase):
    def setUp(self):
        self.console = Console()
        self.driver = chromium()
        self.page = Page(self.driver, self.console)

    def tearDown(self):
        self.driver.quit()
        self.assertIn("Stopped.", self.console.stop())

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
            page.open("/portal/profile/security")
            page.check("impersonation-security")
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
