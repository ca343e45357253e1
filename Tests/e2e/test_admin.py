"""The administrator's pages as staff use them (issue 18, item 5 and the administrator half of item 6),
each checked at 375 px and 1280 px (a screenshot, nothing wider than the window) and by axe-core (no
serious or critical violation): the header says Administrator, tables fit the window and become
stacked cards on a phone, the audit log reads in words and filters by email, "View as customer" only
where it works, and a destructive action is confirmed on its own page before anything changes."""

import unittest

from selenium.webdriver.common.by import By

from console import DEMO_PASSWORD, BrowserTest

# Every table's scrolling wrapper is no wider inside than it is: nothing hidden to the right.
TABLES_FIT = """
return [...document.querySelectorAll('.table-wrap')]
  .filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1)
  .map(wrap => wrap.getAttribute('aria-label') + ' scrolls: ' + wrap.scrollWidth + ' > ' + wrap.clientWidth);
"""

# How the first body row and its cells are laid out: a card (block) on a phone, a table row otherwise.
ROW_LAYOUT = """
const row = document.querySelector('.table--cards tbody tr');
const cell = row.querySelector('td');
return {row: getComputedStyle(row).display, label: getComputedStyle(cell, '::before').content, name: cell.dataset.label};
"""


class AdministratorPagesTest(BrowserTest):
    def check_tables(self, name):
        """At both widths: every table fits without scrolling (a screenshot of it, scrolled into view);
        on a phone its rows are cards headed by their column names."""
        for width in (375, 1280):
            self.driver.set_window_size(width, 900)
            self.assertEqual(self.driver.execute_script(TABLES_FIT), [], f"{name} at {width}px")
            self.driver.execute_script("document.querySelector('.table-wrap').scrollIntoView();")
            self.page.screenshot(f"admin-table-{name.replace(' ', '-')}-{width}")
            layout = self.driver.execute_script(ROW_LAYOUT)
            if width == 375:
                self.assertEqual(layout["row"], "block", f"{name}: a card on a phone")
                self.assertIn(layout["name"], layout["label"], f"{name}: the cell is headed by its column")
            else:
                self.assertEqual(layout["row"], "table-row", f"{name}: a table on a wide screen")
        self.driver.set_window_size(1280, 900)

    def sign_in_as_staff(self):
        page = self.page
        page.open("/admin/login")
        self.assertEqual(page.find(".brand__role").text.lower(), "administrator")
        page.check("admin-login")
        page.find("#email").send_keys("morgan@msp.example")
        page.find("#password").send_keys(DEMO_PASSWORD)
        page.click_and_wait(page.find("form[action='/admin/login'] button[type=submit]"))
        page.wait_for_path("/admin")

    def test_tables_badges_view_as_customer_and_audit_in_words(self):
        page, driver = self.page, self.driver
        self.sign_in_as_staff()
        self.assertEqual(page.find(".brand__role").text.lower(), "administrator")
        self.assertNotIn("Your IT provider manages this portal", page.find(".site-footer").text)
        self.assertIn("MSP administrator pages.", page.find(".site-footer").text)
        page.check("admin-clients")
        self.check_tables("clients")
        self.assertEqual(page.find("td[data-label='Portal'] .badge").text, "Enabled")

        page.click_and_wait(driver.find_element(By.LINK_TEXT, "Northwind Traders"))
        page.check("admin-client")
        self.check_tables("customer users")
        self.assertEqual(page.find("td[data-label='Status'] .badge").text, "Active")

        # A user of a client whose portal is off: no way to view the account, and the page says why.
        page.open("/admin")
        page.click_and_wait(driver.find_element(By.LINK_TEXT, "Fabrikam Studios"))
        page.click_and_wait(driver.find_element(By.LINK_TEXT, "Lee Chen"))
        self.assertFalse(driver.find_elements(By.CSS_SELECTOR, "form[action$='/impersonate']"))
        self.assertIn("Not available for this user: The client's portal is turned off.", page.find("#view-title").find_element(By.XPATH, "..").text)
        page.check("admin-user-not-viewable")

        # View Jane's account with a long reason; the audit log then shows it in words, the reason whole.
        page.open("/admin")
        page.click_and_wait(driver.find_element(By.LINK_TEXT, "Northwind Traders"))
        page.click_and_wait(driver.find_element(By.LINK_TEXT, "Jane Doe"))
        page.check("admin-user")
        reason = "Ticket 1001: the customer asked us to check why the overdue invoice reminders stopped arriving last month"
        page.find("#reason").send_keys(reason)
        page.click_and_wait(page.find("form[action$='/impersonate'] button[type=submit]"))
        page.wait_for_path("/portal/profile")
        page.click_and_wait(page.find(".impersonation button[type=submit]"))
        page.wait.until(lambda d: "/admin/users/" in d.current_url)

        page.open("/admin/audit")
        page.check("admin-audit")
        self.check_tables("audit")
        viewed = next(row for row in driver.find_elements(By.CSS_SELECTOR, ".table tbody tr")
                      if row.find_element(By.CSS_SELECTOR, ".event__kind").text == "impersonation_started")
        self.assertEqual(viewed.find_element(By.CSS_SELECTOR, ".event__name").text, "Viewed as customer")
        for width in (375, 1280):
            driver.set_window_size(width, 900)
            detail = viewed.find_element(By.CSS_SELECTOR, "td.table__detail")
            self.assertIn(reason, detail.text, f"the whole reason at {width}px")
            self.assertLessEqual(driver.execute_script("return arguments[0].scrollWidth - arguments[0].clientWidth;", detail), 1,
                                 f"the reason is wrapped, not cut, at {width}px")
        driver.set_window_size(1280, 900)
        when = viewed.find_element(By.CSS_SELECTOR, "td.table__when")
        lines = driver.execute_script(
            "const r = document.createRange(); r.selectNodeContents(arguments[0]);"
            "return new Set([...r.getClientRects()].map(rect => Math.round(rect.top))).size;", when)
        self.assertEqual(lines, 1, "the date stays on one line")

        # Filter by email: only Jane's events, the kind filter by its readable name.
        page.find("#user").send_keys("jane.doe@northwind.example")
        page.click_and_wait(page.find("form.filters button[type=submit]"))
        users = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, ".table tbody td[data-label='User']")]
        self.assertTrue(users)
        self.assertTrue(all("jane.doe@northwind.example" in text for text in users), users)
        kinds = [option.text for option in driver.find_elements(By.CSS_SELECTOR, "#kind option")]
        self.assertIn("Viewed as customer", kinds)
        page.check("admin-audit-filtered")

    def test_disable_is_confirmed_on_its_own_page(self):
        page, driver = self.page, self.driver
        self.sign_in_as_staff()
        page.click_and_wait(driver.find_element(By.LINK_TEXT, "Northwind Traders"))
        page.click_and_wait(driver.find_element(By.LINK_TEXT, "Sam Lee"))
        disable = driver.find_element(By.LINK_TEXT, "Disable")
        self.assertIn("button--danger-quiet", disable.get_attribute("class").split())
        page.click_and_wait(disable)
        self.assertEqual(page.find("#confirm-title").text, "Disable Sam Lee?")
        self.assertIn("sam.lee@northwind.example", page.find(".confirm").text)
        page.check("admin-confirm-disable")

        # Cancel: back on the user's page, nothing changed.
        page.click_and_wait(driver.find_element(By.LINK_TEXT, "Cancel"))
        self.assertEqual(page.find(".card__head .badge").text, "Active")
        self.assertTrue(driver.find_elements(By.CSS_SELECTOR, "form[action$='/impersonate']"))

        # Sign out everywhere has its own confirmation, in the same form.
        page.click_and_wait(driver.find_element(By.LINK_TEXT, "Sign out everywhere"))
        self.assertEqual(page.find("#confirm-title").text, "Sign Sam Lee out everywhere?")
        page.check("admin-confirm-sign-out")
        page.click_and_wait(driver.find_element(By.LINK_TEXT, "Cancel"))

        page.click_and_wait(driver.find_element(By.LINK_TEXT, "Disable"))
        page.click_and_wait(page.find(".confirm button.button--danger"))
        self.assertIn("Sam Lee is disabled and was signed out everywhere.", page.find(".alert--success").text)
        self.assertEqual(page.find(".card__head .badge").text, "Disabled")
        self.assertFalse(driver.find_elements(By.CSS_SELECTOR, "form[action$='/impersonate']"), "a disabled user cannot be viewed")
        page.check("admin-user-disabled")


if __name__ == "__main__":
    unittest.main()
