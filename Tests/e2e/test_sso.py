"""Single sign-on in a real browser: the demo's SSO-only client (Contoso Health) gets a real OpenID provider
(django-oauth-toolkit on 127.0.0.1, another site than the console's localhost), and Alex signs in through
it: the email step, "Continue with …", the provider's own sign-in form, back to the Profile tab, then
sign-out continuing at the provider and landing on the console's sign-in page."""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

from selenium.webdriver.common.by import By

from console import BINARY, ROOT, Console, Page, chromium

PROVIDER = ROOT / "Tests" / "TestSupport" / "oidc" / "dot_provider.py"
PASSWORD = "contoso sso e2e"


class Provider:
    """django-oauth-toolkit through the test script; ready once it printed its JSON line."""

    def __init__(self, redirect_uri, post_logout_uri):
        self.folder = tempfile.TemporaryDirectory(prefix="clientone-e2e-idp-")
        users = os.path.join(self.folder.name, "users.json")
        with open(users, "w") as file:
            json.dump([{"username": "alex", "password": PASSWORD, "email": "alex.kim@contoso.example", "email_verified": True,
                        "name": "Alex Kim"}], file)
        self.process = subprocess.Popen(
            [sys.executable, str(PROVIDER), "--dir", os.path.join(self.folder.name, "state"), "--users", users,
             "--redirect-uri", redirect_uri, "--post-logout-redirect-uri", post_logout_uri,
             "--cache", os.path.join(tempfile.gettempdir(), "clientone-oidc-cache")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line.startswith('{"issuer"'):
            self.process.kill()
            raise RuntimeError(f"dot_provider.py did not start: {line!r}")
        self.ready = json.loads(line)

    def stop(self):
        self.process.stdin.close()
        self.process.terminate()
        self.process.wait(timeout=30)
        self.folder.cleanup()


class SingleSignOnInBrowserTest(unittest.TestCase):
    def setUp(self):
        self.console = Console()
        self.provider = Provider(self.console.url + "/login/sso/callback", self.console.url + "/login?signed_out=1")
        client = self.provider.ready["clients"]["rs256"]
        configured = subprocess.run(
            [str(BINARY), "client", "sso", "Contoso Health", "--db", self.console.database, "--issuer", self.provider.ready["issuer"],
             "--client-id", client["client_id"], "--client-secret-stdin", "--domain", "contoso.example",
             "--display-name", "Contoso Sign-in"],
            input=client["client_secret"] + "\n", capture_output=True, text=True, timeout=60)
        self.assertEqual(configured.returncode, 0, configured.stderr)
        self.driver = chromium()
        self.page = Page(self.driver, self.console)

    def tearDown(self):
        self.driver.quit()
        self.provider.stop()
        self.assertIn("Stopped.", self.console.stop())

    def test_sign_in_at_the_company_provider_and_sign_out_there(self):
        page = self.page
        page.open("/login")
        page.find("#email").send_keys("alex.kim@contoso.example")
        page.click_and_wait(page.find("form[action='/login'] button[type=submit]"))
        self.assertIn("Your organization requires single sign-on", self.driver.page_source)
        self.assertEqual(self.driver.find_elements(By.ID, "password"), [])
        page.check("sso-continue")
        # No script needed: a link to the console's start, which redirects to the provider.
        page.click_and_wait(self.driver.find_element(By.LINK_TEXT, "Continue with Contoso Sign-in"))
        self.assertTrue(self.driver.current_url.startswith(self.provider.ready["issuer"].rsplit("/o", 1)[0] + "/accounts/login/"),
                        self.driver.current_url)
        page.find("#id_username").send_keys("alex")
        page.find("#id_password").send_keys(PASSWORD)
        page.find("button[type=submit]").click()
        # Back from the provider's site (a cross-site navigation: the SameSite=Lax attempt cookie comes along).
        page.wait_for_path("/portal/profile")
        self.assertIn("Alex Kim", page.find(".account-header__name").text)
        page.open("/portal/profile/security")
        self.assertIn("Signed in with Contoso Sign-in", self.driver.page_source)
        self.assertIn("managed by your company", self.driver.page_source)
        page.check("sso-security")

        # Sign-out ends the console session, continues at the provider, and comes back to the sign-in page.
        page.find("form.sign-out button").click()
        page.wait.until(lambda d: "signed_out=1" in d.current_url and d.current_url.startswith(self.console.url + "/login"))
        page.open("/portal/profile")
        page.wait_for_path("/login")
