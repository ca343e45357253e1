/// A calm page for an error: what happened, and a way on.
public struct ErrorPage: Sendable {
    public var status: Int
    public var title: String
    public var message: String
    /// A reference the operator can find in the log (for unexpected errors).
    public var reference: String?
    /// The page's way on.
    public var wayOn: (label: String, href: String) = (label: "Go to your profile", href: "/portal/profile")

    public init(status: Int, title: String, message: String, reference: String? = nil) {
        self.status = status
        self.title = title
        self.message = message
        self.reference = reference
    }
}

/// Renders error pages.
public enum ErrorView {
    /// `chrome`: the page's frame when it belongs to a signed-in page's flow (an administrator's view keeps
    /// its notice); a bare frame with the page's title otherwise.
    public static func render(_ page: ErrorPage, chrome: Chrome? = nil) -> HTML {
        let reference: HTML = page.reference.map { "<p class=\"muted\">Reference: <code>\($0)</code></p>" } ?? .empty
        return Layout.authPage(chrome ?? Chrome(title: page.title), labelledBy: "error-title", """
        <h1 id="error-title" class="auth__title">\(page.title)</h1>
        <p>\(page.message)</p>
        \(reference)
        <p><a class="button button--secondary" href="\(page.wayOn.href)">\(page.wayOn.label)</a></p>
        """)
    }
}
