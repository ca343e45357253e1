"""The customer's pages as a person uses them, each checked at 375 px and 1280 px (no overflow, a
screenshot) and by axe-core (no serious or critical violation)."""

import re
import subprocess
import tempfile
import unittest
import http.cookiejar
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from console import BINARY, BrowserTest, DEMO_PASSWORD


def decode_qr(svg):
    """zbar reads the QR code of the page's SVG, rasterised by rsvg-convert: an oracle independent of the encoder."""
    with tempfile.TemporaryDirectory() as folder:
        with open(f"{folder}/qr.svg", "w") as handle:
            handle.write(svg)
        subprocess.run(["rsvg-convert", "-w", "400", "-o", f"{folder}/qr.png", f"{folder}/qr.svg"], check=True)
        return subprocess.run(["zbarimg", "--raw", "-q", f"{folder}/qr.png"], check=True, capture_output=True, text=True).stdout.strip()


def sign_in_elsewhere(console, email, password=DEMO_PASSWORD):
    """Signs the account in from another client (plain HTTP, as a second browser would), so the account
    has another session to sign out."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = re.search(r'name="csrf_token" value="([^"]+)"', opener.open(console.url + "/login").read().decode()).group(1)
    for fields in ({"csrf_token": token, "email": email}, {"csrf_token": token, "email": email, "password": password}):
        request = urllib.request.Request(console.url + "/login", data=urllib.parse.urlencode(fields).encode(),
                                         headers={"Origin": console.url, "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0"})
        opener.open(request).read()
    assert any(cookie.name == "clientone_session" for cookie in jar), "the second sign-in made no session"


# The element lies wholly inside the window.
IN_VIEW_SCRIPT = """
const box = arguments[0].getBoundingClientRect();
return box.top >= 0 && box.bottom <= window.innerHeight;
"""


def totp(secret):
    return subprocess.run(["oathtool", "--totp", "-b", secret], check=True, capture_output=True, text=True).stdout.strip()


class CustomerFlowsTest(BrowserTest):
    def test_sign_in_profile_notifications_password(self):
        page = self.page
        page.open("/login")
        page.check("login-email")
        page.find("#email").send_keys("alex.kim@contoso.example")
        page.find("form[action='/login'] button[type=submit]").click()
        page.wait.until(lambda d: "single sign-on" in d.page_source)
        self.assertFalse(self.driver.find_elements(By.ID, "password"))
        page.check("login-sso")

        page.sign_in("jane.doe@northwind.example", "not the password")
        page.wait.until(lambda d: "The email or password is incorrect." in d.page_source)
        page.check("login-wrong-password")
        page.find("#password").send_keys(DEMO_PASSWORD)
        page.find("form[action='/login'] button[type=submit]").click()
        page.wait_for_path("/portal/profile")
        page.check("profile")

        name = page.find("#name")
        name.clear()
        page.find("form[action='/portal/profile'] button[type=submit]").click()
        page.wait.until(lambda d: d.find_elements(By.ID, "name-error"))
        page.check("profile-error")
        page.find("#name").send_keys("Jane Q. Doe")
        page.find("form[action='/portal/profile'] button[type=submit]").click()
        page.wait.until(lambda d: "Jane Q. Doe" in page.find(".account-header__name").text)

        box = page.find("#ticket_status_email")
        before = box.is_selected()
        box.click()
        # The form answers with a redirect to /portal/profile, the path already shown: wait for the new
        # page and its confirmation (the save is done), not for the path, before reloading.
        # On a phone the confirmation lands where the user is looking: in the window, not a screen below.
        self.driver.set_window_size(375, 740)
        page.click_and_wait(page.find("form[action='/portal/profile/notifications'] button[type=submit]"))
        self.assertIn("Your notification preferences were saved.", self.driver.page_source)
        page.wait.until(lambda d: d.execute_script(IN_VIEW_SCRIPT, d.find_element(By.CSS_SELECTOR, "#notifications ~ .alert")))
        page.screenshot("profile-notifications-saved-375")
        self.driver.set_window_size(1280, 900)
        page.reload()
        self.assertNotIn("Your notification preferences were saved.", self.driver.page_source)
        self.assertEqual(page.find("#ticket_status_email").is_selected(), not before)

        # Signing out the other sessions asks first, naming them; Cancel changes nothing.
        sign_in_elsewhere(self.console, "jane.doe@northwind.example")
        page.open("/portal/profile/security")
        self.driver.find_element(By.LINK_TEXT, "Sign out of all other sessions…").click()
        page.wait_for_path("/portal/profile/security/sessions/revoke-others")
        self.assertIn("Firefox on Windows", page.find(".confirm").text)
        page.check("security-sign-out-others")
        page.find(".confirm button.button--danger").click()
        page.wait.until(lambda d: "Signed out." in d.page_source)

        page.open("/portal/profile/security")
        page.check("security")
        page.find("#password details summary").click()
        page.find("#current_password").send_keys("wrong one")
        page.find("#new_password").send_keys("a new passphrase 2026")
        page.find("#confirm_password").send_keys("a new passphrase 2026")
        page.find("form[action='/portal/profile/password'] button[type=submit]").click()
        page.wait.until(lambda d: d.find_elements(By.ID, "current_password-error"))
        page.check("security-password-error")
        page.find("#current_password").send_keys(DEMO_PASSWORD)
        page.find("#new_password").send_keys("a new passphrase 2026")
        page.find("#confirm_password").send_keys("a new passphrase 2026")
        # The form lists its rules, and Show passwords shows what was typed (and hides it again).
        rules = [item.text for item in self.driver.find_elements(By.CSS_SELECTOR, "#new_password-rules li")]
        self.assertEqual(3, len(rules))
        show = page.find("[data-show-passwords]")
        show.click()
        self.assertEqual("text", page.find("#new_password").get_attribute("type"))
        self.assertEqual("a new passphrase 2026", page.find("#new_password").get_attribute("value"))
        page.check("security-password-form")
        show.click()
        self.assertEqual("password", page.find("#new_password").get_attribute("type"))
        page.find("form[action='/portal/profile/password'] button[type=submit]").click()
        page.wait.until(lambda d: "Your password was changed." in d.page_source)
        page.sign_out()
        page.sign_in("jane.doe@northwind.example", "a new passphrase 2026")
        page.wait_for_path("/portal/profile")

    def check_setup_layout(self):
        """On a phone the otpauth link stands above the QR code and the secret breaks only between its
        groups; on a wide screen the link is gone and the QR code stands beside the secret."""
        page, driver = self.page, self.driver
        driver.set_window_size(375, 900)
        link = page.find(".setup__open a")
        self.assertTrue(link.is_displayed())
        self.assertTrue(link.get_attribute("href").startswith("otpauth://totp/"))
        self.assertLess(link.rect["y"], page.find(".setup__qr").rect["y"])
        # Every character of a group on the same line as the group's first.
        broken = driver.execute_script(GROUPS_SCRIPT, page.find("#totp-secret"))
        self.assertEqual(broken, [], "secret groups broken across lines")
        driver.set_window_size(1280, 900)
        self.assertFalse(page.find(".setup__open").is_displayed())
        qr, secret = page.find(".setup__qr").rect, page.find(".secret").rect
        self.assertLessEqual(qr["x"] + qr["width"], secret["x"])

    def test_authenticator_recovery_codes_and_sign_in_with_codes(self):
        page = self.page
        page.sign_in("jane.doe@northwind.example")
        page.wait_for_path("/portal/profile")
        page.open("/portal/profile/security")
        page.find("form[action='/portal/profile/security/totp/enable'] button").click()
        page.wait_for_path("/portal/profile/security/totp/setup")
        page.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".setup__qr svg"))
        page.check("authenticator-setup")
        self.check_setup_layout()
        uri = decode_qr(page.find(".setup__qr svg").get_attribute("outerHTML"))
        secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
        self.assertEqual(page.find("#totp-secret").text.replace(" ", ""), secret)
        # The set-up page is a GET: a reload shows the same secret, and makes no other.
        page.reload()
        self.assertEqual(page.find("#totp-secret").text.replace(" ", ""), secret)
        code = totp(secret)
        page.find("#code").send_keys(code)
        page.find("form[action='/portal/profile/security/totp/verify'] button[type=submit]").click()
        page.wait_for_path("/portal/profile/security/recovery-codes/new")
        page.wait.until(lambda d: "I've Saved These" in d.page_source or "I’ve Saved These" in d.page_source)
        codes = [element.text for element in self.driver.find_elements(By.CSS_SELECTOR, "li code")]
        self.assertEqual(len(codes), 10)
        page.check("recovery-codes")
        # A reload of the codes page shows the same codes (it used to post the form again and make a new set).
        page.reload()
        self.assertEqual([element.text for element in self.driver.find_elements(By.CSS_SELECTOR, "li code")], codes)
        page.find("form[action='/portal/profile/security/recovery-codes/saved'] button").click()
        page.wait_for_path("/portal/profile/security")
        page.back()
        self.assertNotIn(codes[0], self.driver.page_source, "Back does not bring the codes back")
        self.assertTrue(self.driver.current_url.endswith("/portal/profile/security"), "Back lands on the Security tab")
        self.assertIn("Authenticator App", self.driver.page_source, "not the browser's resubmission page")

        page.open("/portal/profile/security")
        page.sign_out()
        page.sign_in("jane.doe@northwind.example")
        page.wait_for_path("/login/mfa")
        page.check("mfa")
        # A new step so the code is not the one used at set-up (a code is accepted once).
        WebDriverWait(self.driver, 35, poll_frequency=0.5).until(lambda _: totp(secret) != code)
        page.find("#code").send_keys(totp(secret))
        page.find("form[action='/login/mfa'] button[type=submit]").click()
        page.wait_for_path("/portal/profile")
        page.sign_out()
        page.sign_in("jane.doe@northwind.example")
        page.wait_for_path("/login/mfa")
        self.assertIn("Signing in as jane.doe@northwind.example", page.find(".auth__account").text)
        # "Try another way" replaces the code form with the list of the account's ways.
        self.driver.find_element(By.LINK_TEXT, "Try another way").click()
        page.wait.until(lambda d: d.find_elements(By.LINK_TEXT, "Enter a recovery code"))
        self.assertFalse(self.driver.find_elements(By.CSS_SELECTOR, "form[action='/login/mfa']"), "the list replaces the form")
        page.check("mfa-choose")
        self.driver.find_element(By.LINK_TEXT, "Enter a recovery code").click()
        page.wait.until(lambda d: d.find_elements(By.ID, "recovery_code"))
        self.assertFalse(self.driver.find_elements(By.ID, "code"), "one way at a time")
        page.check("mfa-recovery")
        page.find("#recovery_code").send_keys(codes[0])
        page.find("form[action='/login/mfa'] button[type=submit]").click()
        page.wait_for_path("/portal/profile")
        # Turning the app off asks first, on a page of its own; Cancel changes nothing.
        page.open("/portal/profile/security")
        self.driver.find_element(By.LINK_TEXT, "Turn off…").click()
        page.wait_for_path("/portal/profile/security/totp/disable")
        page.check("authenticator-turn-off")
        self.driver.find_element(By.LINK_TEXT, "Cancel").click()
        page.wait_for_path("/portal/profile/security")
        self.assertIn("badge--on", self.driver.page_source)
        self.driver.find_element(By.LINK_TEXT, "Turn off…").click()
        page.wait_for_path("/portal/profile/security/totp/disable")
        page.find("#password").send_keys(DEMO_PASSWORD)
        page.find("form[action='/portal/profile/security/totp/disable'] button.button--danger").click()
        page.wait.until(lambda d: "The authenticator app is off" in d.page_source)

    def test_forgot_password_through_the_outbox(self):
        page = self.page
        page.open("/login")
        page.find("a[href='/login/forgot']").click()
        page.wait_for_path("/login/forgot")
        page.check("forgot")
        page.find("#email").send_keys("sam.lee@northwind.example")
        page.find("form[action='/login/forgot'] button[type=submit]").click()
        page.wait.until(lambda d: "is on its way" in d.page_source)
        listing = subprocess.run([str(BINARY), "outbox", "--db", self.console.database], check=True, capture_output=True,
                                 text=True).stdout
        link = re.search(r"(http://localhost:\d+/login/reset\?token=[A-Za-z0-9_-]+)", listing).group(1)
        self.driver.get(link)
        page.check("reset")
        page.find("#new_password").send_keys("sam's fresh passphrase")
        page.find("#confirm_password").send_keys("sam's fresh passphrase")
        page.find("form[action='/login/reset'] button[type=submit]").click()
        page.wait.until(lambda d: "Your password was reset." in d.page_source)
        page.sign_in("sam.lee@northwind.example", "sam's fresh passphrase")
        page.wait_for_path("/portal/profile")


if __name__ == "__main__":
    unittest.main()


# The groups of the secret (split by spaces) whose characters do not all sit on one line.
GROUPS_SCRIPT = """
const node = arguments[0].firstChild, text = node.textContent, broken = [];
let start = 0;
for (const group of text.split(' ')) {
  const tops = new Set();
  for (let i = start; i < start + group.length; i++) {
    const range = document.createRange();
    range.setStart(node, i); range.setEnd(node, i + 1);
    tops.add(Math.round(range.getBoundingClientRect().top));
  }
  if (tops.size > 1) broken.push(group);
  start += group.length + 1;
}
return broken;
"""
