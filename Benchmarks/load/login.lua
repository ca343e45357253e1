-- wrk: POST /login with the CSRF token and pre-session cookie taken from the environment.
-- LOGIN_PASSWORD empty: the identifier step (the email alone); otherwise a full sign-in attempt.
local token = os.getenv("LOGIN_TOKEN")
local cookie = os.getenv("LOGIN_COOKIE")
local email = os.getenv("LOGIN_EMAIL") or "jane.doe@northwind.example"
local password = os.getenv("LOGIN_PASSWORD") or ""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = cookie
local body = "csrf_token=" .. token .. "&email=" .. email:gsub("@", "%%40")
if password ~= "" then body = body .. "&password=" .. password end
wrk.body = body

