"""Helpers for the browser tests: the real `clientone serve` on a free port over a fresh database, and
headless Chromium (Debian's chromium + chromium-driver) driven by Selenium."""

import importlib.util
import os
import re
import signal
import subprocess
import tempfile
import unittest
from pathlib import Path

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("CLIENTONE_BINARY", ROOT / ".build" / "debug" / "clientone"))
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", ROOT / ".build" / "e2e-screenshots"))
DEMO_PASSWORD = "Northwind-demo-2026"


class Console:
    """`clientone serve --demo` in its own process; stop() sends SIGTERM and returns what it printed."""

    def __init__(self, *arguments):
        self.folder = tempfile.TemporaryDirectory(prefix="clientone-e2e-")
        self.database = database = os.path.join(self.folder.name, "e2e.db")
        environment = dict(os.environ, CLIENTONE_PUBLIC=str(ROOT / "Public"))
        self.process = subprocess.Popen([str(BINARY), "serve", "--demo", "--port", "0", "--db", database, *arguments],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment)
        self.printed = []
        self.url = None
        for line in self.process.stdout:
            self.printed.append(line)
            match = re.search(r"(http://localhost:\d+)/login", line)
            if match:
                self.url = match.group(1)
            if "Press Ctrl-C" in line:
                break
        if not self.url:
            self.process.kill()
            raise RuntimeError("serve did not start:\n" + "".join(self.printed))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            rest, _ = self.process.communicate(timeout=30)
            self.printed.append(rest)
        self.folder.cleanup()
        return "".join(self.printed)


def chromium():
    options = webdriver.ChromeOptions()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument("--window-size=1280,900")
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class BrowserTest(unittest.TestCase):
    """One console with the demo data and one Chromium on it, per test."""

    def setUp(self):
        self.console = Console()
        self.driver = chromium()
        self.page = Page(self.driver, self.console)

    def tearDown(self):
        self.driver.quit()
        self.assertIn("Stopped.", self.console.stop())


class Page:
    """A person's actions on the console's pages."""

    def __init__(self, driver, console):
        self.driver = driver
        self.console = console
        # A condition that reads an element while the answer replaces the page finds it stale: try again,
        # as a person looking at the new page would, instead of failing.
        self.wait = WebDriverWait(driver, 15, ignored_exceptions=[StaleElementReferenceException])

    def open(self, path):
        self.driver.get(self.console.url + path)

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def wait_for_path(self, path):
        """Waits until the address is `path`. Only for a navigation that leaves the current path: when the
        answer lands on the same path (a form that redirects back to its own page), the address is right
        before the answer has arrived; use click_and_wait or back then."""
        self.wait.until(lambda d: d.current_url.split("#")[0].split("?")[0].endswith(path))

    def click_and_wait(self, element):
        """Clicks and waits until the document on screen is a new one, fully loaded: the answer to the click."""
        token = self._mark_leaving()
        element.click()
        self._wait_for_document_after(token)

    def back(self):
        """Browser Back, then waits until another document is on screen, fully loaded."""
        token = self._mark_leaving()
        self.driver.back()
        self._wait_for_document_after(token)

    def reload(self):
        """Browser Reload, then waits until the reloaded document is on screen, fully loaded."""
        token = self._mark_leaving()
        self.driver.refresh()
        self._wait_for_document_after(token)

    def _mark_leaving(self):
        # A token in the page's own window: a new document (a fresh load, or an older page restored from
        # the back/forward cache) does not carry this one.
        token = os.urandom(8).hex()
        self.driver.execute_script("window.__e2eLeaving = arguments[0];", token)
        return token

    def _wait_for_document_after(self, token):
        def arrived(driver):
            try:
                return driver.execute_script(
                    "return window.__e2eLeaving !== arguments[0] && document.readyState === 'complete';", token)
            except WebDriverException:
                return False  # between documents
        self.wait.until(arrived)

    def sign_in(self, email, password=DEMO_PASSWORD):
        self.open("/login")
        self.find("#email").send_keys(email)
        self.find("form[action='/login'] button[type=submit]").click()
        self.wait.until(lambda d: d.find_elements(By.ID, "password"))
        self.find("#password").send_keys(password)
        self.find("form[action='/login'] button[type=submit]").click()

    def sign_out(self):
        self.find("form.sign-out button").click()
        self.wait_for_path("/login")

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))

    def check(self, name):
        """At 375 px and 1280 px: a screenshot, nothing wider than the viewport, and no serious or critical
        axe-core violation. Restores the desktop width afterwards."""
        problems = []
        for width in (375, 1280):
            self.driver.set_window_size(width, 900)
            self.screenshot(f"{name}-{width}")
            overflow = self.driver.execute_script(OVERFLOW_SCRIPT)
            if overflow:
                problems.append(f"{name} at {width}px overflows: {overflow}")
        axe = Axe(self.driver, script_url=AXE_SCRIPT)
        axe.inject()
        results = axe.run(options={"resultTypes": ["violations"]})
        for violation in results["violations"]:
            if violation.get("impact") in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{name}: axe {violation['impact']} {violation['id']}: {violation['help']} at {targets}")
        self.driver.set_window_size(1280, 900)
        if problems:
            raise AssertionError("\n".join(problems))


# axe-selenium-python drives axe-core, but bundles axe-core 3.1 (2018), which does not know
# autocomplete="one-time-code"; axe-core 4.12 comes as a file in axe-playwright-python (installed
# without its dependencies: only the script is used).
AXE_SCRIPT = str(Path(importlib.util.find_spec("axe_playwright_python").submodule_search_locations[0]) / "axe.min.js")

# The page is wider than the window, or an element's right edge lies beyond it (ignoring what is
# visually hidden or inside a scrolling box such as the tables' wrapper).
OVERFLOW_SCRIPT = """
const width = document.documentElement.clientWidth;
if (document.documentElement.scrollWidth > width + 1) {
  return 'the page is ' + document.documentElement.scrollWidth + 'px wide';
}
for (const element of document.body.querySelectorAll('*')) {
  const box = element.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
  let clipped = false;
  for (let parent = element.parentElement; parent; parent = parent.parentElement) {
    const style = getComputedStyle(parent);
    if (style.overflowX !== 'visible' || style.position === 'fixed') { clipped = true; break; }
  }
  if (!clipped && getComputedStyle(element).position !== 'absolute') {
    return element.tagName.toLowerCase() + (element.className ? '.' + element.className : '') + ' ends at ' + Math.round(box.right) + 'px';
  }
}
return null;
"""
