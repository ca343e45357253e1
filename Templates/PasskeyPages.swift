/// A key as the Security tab lists it; dates are already written out for people.
public struct PasskeyItem: Sendable {
    public var id: Int64
    public var name: String
    public var added: String
    /// Nil until the key is used.
    public var lastUsed: String?
    /// "Synced passkey", "Passkey, not yet synced" or "This device only".
    public var kind: String

    public init(id: Int64, name: String, added: String, lastUsed: String?, kind: String) {
        self.id = id
        self.name = name
        self.added = added
        self.lastUsed = lastUsed
        self.kind = kind
    }
}

/// The Security Keys & Passkeys section of the Security tab.
public struct PasskeysSection: Sendable {
    public var keys: [PasskeyItem]
    public var message: Message?
    /// The key whose rename form comes back open, with its error.
    public var renameOpen: Int64?
    public var renameError: String?
    /// What was typed into that form, kept beside its error.
    public var renameValue: String?
    /// Where the key routes live: the customer's Security tab, or the staff member's own page.
    public var base = "/portal/profile/security/passkeys"
    /// The section itself, where a form's Cancel leads.
    public var back = "/portal/profile/security#passkeys"

    public init(keys: [PasskeyItem], message: Message? = nil, renameOpen: Int64? = nil, renameError: String? = nil) {
        self.keys = keys
        self.message = message
        self.renameOpen = renameOpen
        self.renameError = renameError
    }
}

/// "Remove this key?" — the confirmation behind the trash icon.
public struct PasskeyRemovePage: Sendable {
    public var chrome: Chrome
    public var key: PasskeyItem
    public var base = "/portal/profile/security/passkeys"
    public var back = "/portal/profile/security#passkeys"
    /// The form asks for the password (a staff member's keys, as turning off their authenticator does).
    public var passwordRequired = false
    public var error: String?

    public init(chrome: Chrome, key: PasskeyItem) {
        self.chrome = chrome
        self.key = key
    }
}

/// "Confirm it's you": the password (or a passkey) again before a sensitive change.
public struct ReauthPage: Sendable {
    public var chrome: Chrome
    /// Where to go back to afterwards (a path inside the portal).
    public var next: String
    public var error: String?
    public var passkeyAvailable: Bool

    public init(chrome: Chrome, next: String, error: String? = nil, passkeyAvailable: Bool) {
        self.chrome = chrome
        self.next = next
        self.error = error
        self.passkeyAvailable = passkeyAvailable
    }
}

public enum PasskeyView {
    static let trashIcon: HTML = """
        <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6M10 11v6M14 11v6"/></svg>
        """

    /// The section on the Security tab: the keys, and "Add Key" (which needs the browser's WebAuthn API,
    /// so a script; without one the page says why).
    static func section(_ section: PasskeysSection, csrf: String, owner: String? = nil) -> HTML {
        let list: HTML = section.keys.isEmpty
            ? "<p class=\"keys__empty\">No security keys or passkeys yet.</p>"
            : """
              <ul class="keys">
                \(HTML.each(section.keys) { item(key: $0, section: section, csrf: csrf, owner: owner) })
              </ul>
              """
        return """
        <section class="card" id="passkeys" aria-labelledby="passkeys-title">
          <h2 id="passkeys-title" class="card__title">Security Keys &amp; Passkeys</h2>
          \(Form.alert(section.message))
          <p>Sign in with your fingerprint, face, screen lock or a hardware security key: nothing to type, and nothing a fake site can reuse.</p>
          \(list)
          \(owner.map { OwnerOnly.button("Add Key", owner: $0, id: "passkeys-owner-only") } ?? """
          <form class="keys__add" method="post" action="\(section.base)/begin" data-passkey-register novalidate>
            \(Form.csrf(csrf))
            \(Form.field(id: "passkey_name", name: "name", label: "Name for the new key",
                         hint: "Optional, e.g. “YubiKey” or “Work laptop”. Without one it is named after its kind.",
                         autocomplete: "off", maxLength: 64))
            <p class="field__error" id="passkey-error" role="alert" data-passkey-error hidden></p>
            <noscript><p class="note">Adding a key needs JavaScript: browsers only open their security-key prompt for a script.</p></noscript>
            <p class="note" data-webauthn-unsupported hidden>This browser cannot use security keys or passkeys. Use a current version of Chrome, Edge, Firefox or Safari.</p>
            <button type="submit" class="button button--primary" data-js-only hidden>Add Key</button>
          </form>
          """)
        </section>
        """
    }

    /// The key's kind beside its name, unless the name already says it ("Passkey on this device" is not
    /// also "This device only").
    static func kindBadge(_ key: PasskeyItem) -> HTML {
        let name = key.name.lowercased()
        let repeats = name == key.kind.lowercased() || (key.kind == "This device only" && name.contains("this device"))
        return repeats ? .empty : " <span class=\"badge badge--neutral\">\(key.kind)</span>"
    }

    static func item(key: PasskeyItem, section: PasskeysSection, csrf: String, owner: String?) -> HTML {
        let open = section.renameOpen == key.id
        let error = open ? section.renameError : nil
        if owner != nil {
            // Renaming and removing are the owner's: the row only describes the key (the section says who can).
            return """
            <li class="keys__item">
              <div class="keys__main">
                <p class="keys__name">\(key.name)\(kindBadge(key))</p>
                <p class="keys__meta">Added \(key.added) · \(key.lastUsed.map { "Last used \($0)" } ?? "Never used")</p>
              </div>
            </li>
            """
        }
        return """
        <li class="keys__item">
          <div class="keys__main">
            <p class="keys__name">\(key.name)\(kindBadge(key))</p>
            <p class="keys__meta">Added \(key.added) · \(key.lastUsed.map { "Last used \($0)" } ?? "Never used")</p>
            <details class="disclosure disclosure--link"\(HTML.when(open, " open"))>
              <summary>Rename</summary>
              <form method="post" action="\(section.base)/\(String(key.id))/rename" class="disclosure__body" novalidate>
                \(Form.csrf(csrf))
                \(Form.field(id: "rename_\(String(key.id))", name: "name", label: "New name",
                             value: open ? section.renameValue ?? key.name : key.name, error: error,
                             required: true, autocomplete: "off", maxLength: 64))
                <div class="actions">
                  <button type="submit" class="button button--secondary">Save name</button>
                  <a class="button button--quiet" href="\(section.back)">Cancel</a>
                </div>
              </form>
            </details>
          </div>
          <a class="icon-button" href="\(section.base)/\(String(key.id))/delete">\(trashIcon)<span class="visually-hidden">Remove \(key.name)</span></a>
        </li>
        """
    }

    public static func remove(_ page: PasskeyRemovePage) -> HTML {
        var confirmation = ConfirmationPage(
            chrome: page.chrome, question: "Remove “\(page.key.name)”?",
            details: """
            <p>Added \(page.key.added) · \(page.key.lastUsed.map { "Last used \($0)" } ?? "Never used")</p>
            <p>You will no longer be able to sign in with this key. Remove it from the key or your password manager too.</p>
            """,
            action: "\(page.base)/\(String(page.key.id))/delete", confirmLabel: "Remove key", cancel: page.back)
        confirmation.passwordRequired = page.passwordRequired
        confirmation.passwordError = page.error
        return ConfirmationView.render(confirmation)
    }

    public static func reauth(_ page: ReauthPage) -> HTML {
        let csrf = page.chrome.csrfToken ?? ""
        let passkey: HTML = HTML.when(page.passkeyAvailable, """
            <div data-js-only hidden>
              <p class="auth__divider"><span>or</span></p>
              <button type="button" class="button button--secondary button--block" data-passkey-reauth data-next="\(page.next)">Use a passkey</button>
              <p class="field__error" role="alert" data-passkey-error hidden></p>
            </div>
            """)
        return Layout.authPage(page.chrome, labelledBy: "reauth-title", """
        <h1 id="reauth-title" class="auth__title">Confirm it’s you</h1>
        <p class="auth__lead">For your security, enter your password again to continue. You won’t be asked again for 5 minutes.</p>
        <form method="post" action="/portal/reauth" novalidate>
          \(Form.csrf(csrf))
          <input type="hidden" name="next" value="\(page.next)">
          <input type="text" name="username" value="\(page.chrome.account?.email ?? "")" autocomplete="username" hidden aria-hidden="true" tabindex="-1">
          \(Form.field(id: "password", name: "password", label: "Password", type: "password", error: page.error,
                       required: true, autocomplete: "current-password", maxLength: 1024, extra: " autofocus"))
          <div class="actions">
            <button type="submit" class="button button--primary">Continue</button>
            <a class="button button--quiet" href="/portal/profile/security">Cancel</a>
          </div>
        </form>
        \(passkey)
        """)
    }

    /// "Sign in with a passkey" on the sign-in page and the MFA step (hidden until the script runs).
    static func signInButton(label: String, action: String) -> HTML {
        """
        <div class="auth__alt" data-js-only hidden>
          <p class="auth__divider"><span>or</span></p>
          <button type="button" class="button button--secondary button--block" data-passkey-signin="\(action)">\(label)</button>
          <p class="field__error" role="alert" data-passkey-error hidden></p>
        </div>
        """
    }
}
