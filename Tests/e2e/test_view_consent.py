"""Consent to be viewed (issue 20, point 1) in a browser: at a client whose customers approve
administrator views, "View as customer" asks first; the administrator's page shows the request waiting;
the customer's Security tab shows it in the Administrator access card with Allow for 30 minutes /
Decline; once allowed, "Open the view" opens it; "Revoke now" ends it on its next page. Each state is
checked at 375 px and 1280 px (a screenshot, nothing wider than the window) and by axe-core."""

import subprocess
import unittest

from selenium.webdriver.common.by import By

from console import BINARY, DEMO_PASSWORD, Console, Page, chromium


class ViewConsentTest(unittest.TestCase):
    def setUp(self):
        self.console = Console()
        subprocess.run([str(BINARY), "client", "set", "Northwind Traders", "--view-consent", "on", "--db", self.console.database],
                       check=True, capture_output=True)
        self.staff_driver = chromium()
        self.customer_driver = chromium()
        self.staff = Page(self.staff_driver, self.console)
        self.customer = Page(self.customer_driver, self.console)

    def tearDown(self):
        self.staff_driver.quit()
        self.customer_driver.quit()
        self.assertIn("Stopped.", self.console.stop())

    def test_ask_wait_allow_open_and_revoke(self):
        staff, customer = self.staff, self.customer
        staff.open("/admin/login")
        staff.find("#email").send_keys("morgan@msp.example")
        staff.find("#password").send_keys(DEMO_PASSWORD)
        staff.click_and_wait(staff.find("form[action='/admin/login'] button[type=submit]"))
        staff.wait_for_path("/admin")
        staff.click_and_wait(self.staff_driver.find_element(By.LINK_TEXT, "Northwind Traders"))
        self.assertTrue(staff.find("#view_consent").is_selected())
        staff.click_and_wait(self.staff_driver.find_element(By.LINK_TEXT, "Jane Doe"))
        self.assertIn("customers approve administrator views", staff.find("#view-title").find_element(By.XPATH, "..").text)
        staff.find("#reason").send_keys("Ticket 1001: the customer asked us to check why the overdue invoice reminders stopped arriving")
        staff.click_and_wait(staff.find("form[action$='/impersonate'] button[type=submit]"))
        self.assertIn("Waiting for Jane Doe to allow your request.", staff.find(".view-consent--waiting").text)
        self.assertNotIn("/portal/", self.staff_driver.current_url)
        staff.check("view-consent-admin-waiting")

        customer.sign_in("jane.doe@northwind.example")
        customer.wait_for_path("/portal/profile")
        customer.open("/portal/profile/security#administrator-access")
        card = customer.find("#administrator-access")
        self.assertIn("Morgan Reyes of ClientOne Console asks to view your account:", card.text)
        self.assertIn("Let my IT provider view my account", card.text)
        self.customer_driver.execute_script("arguments[0].scrollIntoView();", card)
        customer.check("view-consent-customer-request")
        customer.click_and_wait(card.find_element(By.XPATH, ".//button[normalize-space()='Allow for 30 minutes']"))
        card = customer.find("#administrator-access")
        self.assertIn("Allowed for 30 minutes.", card.text)
        self.assertIn("Morgan Reyes can view your account", card.text)

        staff.reload()
        self.assertIn("Jane Doe allowed your request", staff.find(".view-consent--allowed").text)
        staff.check("view-consent-admin-allowed")
        staff.click_and_wait(staff.find("form[action$='/open-view'] button[type=submit]"))
        staff.wait_for_path("/portal/profile")
        self.assertIn("An administrator (Morgan Reyes) is viewing this account.", staff.find(".impersonation").text)

        customer.reload()
        card = customer.find("#administrator-access")
        self.assertIn("(viewing it now)", card.text)
        self.customer_driver.execute_script("arguments[0].scrollIntoView();", card)
        customer.check("view-consent-customer-access")
        customer.click_and_wait(card.find_element(By.XPATH, ".//button[normalize-space()='Revoke now']"))
        self.assertIn("Revoked.", customer.find("#administrator-access").text)

        # The administrator's next page is their user page, saying the view ended; not the account.
        staff.reload()
        staff.wait.until(lambda d: "/admin/users/" in d.current_url)
        self.assertIn("the view ended", staff.find(".alert").text)
        self.assertFalse(self.staff_driver.find_elements(By.CSS_SELECTOR, ".impersonation"))


if __name__ == "__main__":
    unittest.main()
