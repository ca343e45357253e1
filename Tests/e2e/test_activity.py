"""Recent activity as a person reads it (issue 18 item 4): a stranger's wrong password and, after the
right password, a wrong code, seen by the owner with browser and address, the wrong code flagged; each
line's text beside its time at 375 px; older lines through "Show more"; no overflow, no serious or
critical axe-core violation, screenshots at 375 px and 1280 px."""

import re
import unittest

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from console import AXE_SCRIPT, OVERFLOW_SCRIPT, Console, DEMO_PASSWORD, Page, chromium
from test_flows import decode_qr, totp

WINDOWS_CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0.0.0 Safari/537.36")
EMAIL = "jane.doe@northwind.example"


def stranger_chromium():
    """Another browser: headless Chromium that says it is Chrome on Windows."""
    options = webdriver.ChromeOptions()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument("--window-size=1280,900")
    options.add_argument(f"--user-agent={WINDOWS_CHROME}")
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class RecentActivityTest(unittest.TestCase):
    def setUp(self):
        self.console = Console()
        self.driver = chromium()
        self.page = Page(self.driver, self.console)
        self.stranger_driver = None

    def tearDown(self):
        self.driver.quit()
        if self.stranger_driver:
            self.stranger_driver.quit()
        self.assertIn("Stopped.", self.console.stop())

    def enable_authenticator(self):
        page = self.page
        page.open("/portal/profile/security")
        page.find("form[action='/portal/profile/security/totp/enable'] button").click()
        page.wait_for_path("/portal/profile/security/totp/setup")
        page.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".setup__qr svg"))
        secret = re.search(r"secret=([A-Z2-7]+)", decode_qr(page.find(".setup__qr svg").get_attribute("outerHTML"))).group(1)
        page.find("#code").send_keys(totp(secret))
        page.find("form[action='/portal/profile/security/totp/verify'] button[type=submit]").click()
        page.wait_for_path("/portal/profile/security/recovery-codes/new")
        page.find("form[action='/portal/profile/security/recovery-codes/saved'] button").click()
        page.wait_for_path("/portal/profile/security")
        return secret

    def check_activity(self, name):
        """At 375 px and 1280 px, with the section in view: a screenshot, each line's text beside its time
        (not under it, not squeezed), nothing wider than the window; then axe-core on the page."""
        page, driver = self.page, self.driver
        problems = []
        for width in (375, 1280):
            driver.set_window_size(width, 900)
            driver.execute_script("document.getElementById('activity').scrollIntoView();")
            page.screenshot(f"{name}-{width}")
            overflow = driver.execute_script(OVERFLOW_SCRIPT)
            if overflow:
                problems.append(f"{name} at {width}px overflows: {overflow}")
            for item in driver.find_elements(By.CSS_SELECTOR, ".activity__item"):
                when = item.find_element(By.CSS_SELECTOR, ".activity__when").rect
                text = item.find_element(By.CSS_SELECTOR, ".activity__text").rect
                label = item.find_element(By.CSS_SELECTOR, ".activity__text").text
                if text["x"] < when["x"] + when["width"] - 1:
                    problems.append(f"{width}px: text of {label!r} not beside its time ({when}, {text})")
                if abs(text["y"] - when["y"]) > 12:
                    problems.append(f"{width}px: text of {label!r} does not start level with its time ({when}, {text})")
                if text["width"] < 150:
                    problems.append(f"{width}px: text of {label!r} squeezed to {text['width']}px")
        axe = Axe(driver, script_url=AXE_SCRIPT)
        axe.inject()
        for violation in axe.run(options={"resultTypes": ["violations"]})["violations"]:
            if violation.get("impact") in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{name}: axe {violation['impact']} {violation['id']}: {violation['help']} at {targets}")
        driver.set_window_size(1280, 900)
        if problems:
            raise AssertionError("\n".join(problems))

    def test_stranger_failures_flagged_beside_their_time_and_show_more(self):
        page = self.page
        page.sign_in(EMAIL)
        page.wait_for_path("/portal/profile")
        secret = self.enable_authenticator()
        # Some history of Jane's own, so older lines are behind "Show more".
        page.open("/portal/profile")
        for _ in range(8):
            page.find("#ticket_status_email").click()
            page.click_and_wait(page.find("form[action='/portal/profile/notifications'] button[type=submit]"))

        # Somewhere else: a wrong password, then the right one and a wrong code.
        self.stranger_driver = stranger_chromium()
        stranger = Page(self.stranger_driver, self.console)
        stranger.sign_in(EMAIL, "a typed wrong guess")
        stranger.wait.until(lambda d: "The email or password is incorrect." in d.page_source)
        stranger.find("#password").send_keys(DEMO_PASSWORD)
        stranger.find("form[action='/login'] button[type=submit]").click()
        stranger.wait_for_path("/login/mfa")
        right = totp(secret)
        wrong = "".join(str((int(digit) + 1) % 10) for digit in right)
        stranger.find("#code").send_keys(wrong)
        stranger.click_and_wait(stranger.find("form[action='/login/mfa'] button[type=submit]"))
        self.assertTrue(self.stranger_driver.current_url.split("?")[0].endswith("/login/mfa"), "the wrong code signs nobody in")

        page.open("/portal/profile/security")
        section = page.find("#activity")
        text = section.text
        self.assertIn("Wrong password entered", text)
        self.assertIn("Wrong authenticator code entered", text)
        self.assertIn("Chrome on Windows", text)
        self.assertNotIn("a typed wrong guess", self.driver.page_source)
        self.assertNotIn(wrong, self.driver.page_source)
        flagged = section.find_element(By.CSS_SELECTOR, ".activity__item--alert")
        self.assertIn("Wrong authenticator code entered", flagged.text)
        self.assertIn("Someone may have your password", flagged.text)
        link = flagged.find_element(By.LINK_TEXT, "change your password")
        self.assertTrue(link.get_attribute("href").endswith("#password-title"))
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, ".activity__item")), 10)
        self.check_activity("security-activity")

        # Older lines, without JavaScript: a plain link to the same page asking for ten more.
        page.click_and_wait(section.find_element(By.LINK_TEXT, "Show more"))
        self.assertIn("activity=20", self.driver.current_url)
        self.assertGreater(len(self.driver.find_elements(By.CSS_SELECTOR, ".activity__item")), 10)
        self.assertIn("Authenticator app turned on", page.find("#activity").text)
        self.check_activity("security-activity-more")


if __name__ == "__main__":
    unittest.main()
