/// A calm page for an error: what happened, and a way on.
public struct ErrorPage: Sendable {
    public var status: Int
    public var title: String
    public var message: String
    /// A reference the operator can find in the log (for unexpected errors).
    public var reference: String?

    public init(status: Int, title: String, message: String, reference: String? = nil) {
        self.status = status
        self.title = title
        self.message = message
        self.reference = reference
    }
}

/// Renders error pages.
public enum ErrorView {
    public static func render(_ page: ErrorPage) -> HTML {
        let reference: HTML = page.reference.map { "<p class=\"muted\">Reference: <code>\($0)</code></p>" } ?? .empty
        return Layout.page(Chrome(title: page.title), content: """
        <div class="auth">
          <section class="card auth__card" aria-labelledby="error-title">
            <h1 id="error-title" class="auth__title">\(page.title)</h1>
            <p>\(page.message)</p>
            \(reference)
            <p><a class="button button--secondary" href="/portal/profile">Go to your profile</a></p>
          </section>
        </div>
        """)
    }
}
