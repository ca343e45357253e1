/// "Are you sure?" before a destructive change: what will happen, the change's one button in the
/// destructive style, and Cancel. A page of its own (no script), whose form posts the change with its
/// CSRF token; nothing happens until that button is pressed.
public struct ConfirmationPage: Sendable {
    public var chrome: Chrome
    /// The question, e.g. "Sign out of all other sessions?".
    public var question: String
    /// What the change does, in a paragraph or a list.
    public var details: HTML
    /// Where the form posts.
    public var action: String
    /// The destructive button's label, saying what it does ("Sign out of other sessions").
    public var confirmLabel: String
    /// Where Cancel leads.
    public var cancel: String
    /// Asks for the password again (turning off a second factor).
    public var passwordRequired = false
    public var passwordError: String?

    public init(chrome: Chrome, question: String, details: HTML, action: String, confirmLabel: String, cancel: String) {
        self.chrome = chrome
        self.question = question
        self.details = details
        self.action = action
        self.confirmLabel = confirmLabel
        self.cancel = cancel
    }
}

public enum ConfirmationView {
    public static func render(_ page: ConfirmationPage) -> HTML {
        Layout.page(page.chrome, content: card(page, csrf: page.chrome.csrfToken ?? ""))
    }

    /// The card itself, for a page that frames it its own way (the administrator's pages, with their tabs).
    public static func card(_ page: ConfirmationPage, csrf: String) -> HTML {
        """
        <section class="card confirm" aria-labelledby="confirm-title">
          <h2 id="confirm-title" class="card__title">\(page.question)</h2>
          \(page.details)
          <form method="post" action="\(page.action)" novalidate>
            \(Form.csrf(csrf))
            \(HTML.when(page.passwordRequired, Form.field(id: "password", name: "password", label: "Your password", type: "password",
                                                        error: page.passwordError, required: true, autocomplete: "current-password",
                                                        maxLength: 1024, extra: " autofocus")))
            <div class="actions">
              <button type="submit" class="button button--danger">\(page.confirmLabel)</button>
              <a class="button button--quiet" href="\(page.cancel)">Cancel</a>
            </div>
          </form>
        </section>
        """
    }
}
