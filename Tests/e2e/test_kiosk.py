"""Kiosk mode in a real browser: the idle warning counts down, "Stay signed in" keeps the session, the
idle sign-out lands on the sign-in page with the reason, and Back afterwards shows nothing of the account."""

import unittest

from selenium.webdriver.support.ui import WebDriverWait

from console import Console, Page, chromium


class KioskIdleSignOutTest(unittest.TestCase):
    def test_warning_stay_signed_in_then_idle_sign_out(self):
        # 30 s, the shortest: the warning comes after 20 quiet seconds (a third of the time-out ahead, not a
        # minute, which would be at once) and the sign-out 10 seconds later.
        console = Console("--kiosk", "--idle-timeout", "30")
        driver = chromium()
        try:
            page = Page(driver, console)
            page.open("/login")
            self.assertIn("This is a shared computer.", driver.page_source)
            page.check("kiosk-login")
            page.sign_in("jane.doe@northwind.example")
            page.wait_for_path("/portal/profile")
            warning = page.find(".idle-warning")
            # Nothing has happened for a while only after a while: not on the page just loaded.
            self.assertFalse(warning.is_displayed())
            WebDriverWait(driver, 40).until(lambda d: warning.is_displayed())
            self.assertIn("You will be signed out soon", warning.text)
            self.assertRegex(warning.text, r"nothing has happened for (19|20|21) seconds")
            self.assertIn("Sign out now", warning.text)
            # Sign Out stands in the header beside the badge, in reach without scrolling.
            self.assertTrue(page.find(".site-header .sign-out button").is_displayed())
            page.screenshot("kiosk-idle-warning")
            page.check("kiosk-idle-warning")
            first = int(page.find("[data-idle-count]").text)
            page.wait.until(lambda d: int(page.find("[data-idle-count]").text) < first)

            page.find("[data-idle-stay]").click()
            page.wait.until(lambda d: not warning.is_displayed())
            # Stay signed in told the server: the session is still good after the first deadline would have passed.
            WebDriverWait(driver, 40).until(lambda d: warning.is_displayed())
            WebDriverWait(driver, 90).until(lambda d: "/login" in d.current_url)
            self.assertIn("signed_out=idle", driver.current_url)
            self.assertIn("You were signed out because the session was idle.", driver.page_source)
            page.screenshot("kiosk-idle-signed-out")

            page.back()
            self.assertNotIn("Jane Doe", driver.page_source)
            self.assertNotIn("jane.doe@northwind.example", driver.page_source)
            self.assertIn("/login", driver.current_url)
        finally:
            driver.quit()
            self.assertIn("Stopped.", console.stop())


if __name__ == "__main__":
    unittest.main()
