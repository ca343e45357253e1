"""Makes profile_ref's template from the console's own Profile page: every HTML-escaped occurrence of
the signed-in account's name, email, phone, company and title, and of the page's CSRF token, becomes
its {{marker}}. The values come from the console's database, found by the session cookie the way the
console finds them; the template is checked by filling it back in, which must give the page byte for
byte, so both servers answer the same bytes.

usage: make_template.py PAGE DATABASE SESSION_TOKEN TEMPLATE_OUT"""
import base64, hashlib, re, sqlite3, sys

page_file, database, token, out = sys.argv[1:]
page = open(page_file, "rb").read().decode("utf-8")
token_hash = hashlib.sha256(base64.urlsafe_b64decode(token + "=")).digest()
row = sqlite3.connect(f"file:{database}?mode=ro", uri=True).execute(
    "SELECT u.name, u.email, u.phone, c.name, u.title FROM sessions s JOIN customer_users u ON u.id = s.customer_user_id "
    "JOIN clients c ON c.id = u.client_id WHERE s.token_hash = ?", (token_hash,)).fetchone()
if row is None:
    sys.exit("make_template: the session is not in the database")
csrf = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)

def escaped(text):  # the console's and profile_ref's escaping: & < > " '
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))

values = dict(zip(["name", "email", "phone", "company", "title"], [escaped(v or "") for v in row]))
values["csrf"] = csrf
template = page
# Longest first, so a value inside another (a name inside an email) is not cut out of it.
for marker, value in sorted(values.items(), key=lambda item: -len(item[1])):
    if not value or value not in template:
        sys.exit(f"make_template: the page does not show the account's {marker}")
    template = template.replace(value, "{{" + marker + "}}")
filled = re.sub(r"\{\{(name|email|phone|company|title|csrf)\}\}", lambda m: values[m.group(1)], template)
if filled != page:
    sys.exit("make_template: the template does not give the page back")
open(out, "wb").write(template.encode("utf-8"))
print(" ".join(f"{marker}×{template.count('{{' + marker + '}}')}" for marker in values))
