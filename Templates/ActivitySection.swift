/// One line of the Security tab's "Recent activity".
public struct ActivityLine: Sendable, Equatable {
    /// A wrong second factor after the right first factor: whoever typed it knew the password.
    public struct Warning: Sendable, Equatable {
        public enum Strength: Sendable, Equatable {
            /// Nothing after it explains it: "Someone may have your password".
            case strong
            /// The same browser signed in right after: most likely the person mistyped.
            case signedInAfter
            /// The password has been changed since.
            case passwordChangedSince
        }

        public var strength: Strength
        /// The identity provider whose sign-in was right; nil when it was the password.
        public var provider: String?
        /// What failed at the second step: "a wrong code", "a refused security key or passkey".
        public var secondStep: String

        public init(strength: Strength, provider: String? = nil, secondStep: String) {
            self.strength = strength
            self.provider = provider
            self.secondStep = secondStep
        }
    }

    public var day: String
    public var time: String
    public var text: String
    /// A run of the same event from one browser: "· 3 times".
    public var count: Int
    public var countIsAtLeast: Bool
    /// "Chrome on Windows · 203.0.113.7"; nil when the event did not record them.
    public var source: String?
    public var warning: Warning?

    public init(day: String, time: String, text: String, count: Int = 1, countIsAtLeast: Bool = false, source: String? = nil,
                warning: Warning? = nil) {
        self.day = day
        self.time = time
        self.text = text
        self.count = count
        self.countIsAtLeast = countIsAtLeast
        self.source = source
        self.warning = warning
    }
}

/// "Recent activity": the newest lines, and the way to older ones.
public struct ActivitySection: Sendable, Equatable {
    public var lines: [ActivityLine]
    /// "Show more" (a GET of the Security tab with more lines), nil when nothing older exists or the
    /// most lines the page shows are shown.
    public var moreHref: String?
    /// Older lines exist beyond the most the page shows.
    public var olderBeyondMaximum: Bool

    public init(lines: [ActivityLine] = [], moreHref: String? = nil, olderBeyondMaximum: Bool = false) {
        self.lines = lines
        self.moreHref = moreHref
        self.olderBeyondMaximum = olderBeyondMaximum
    }
}

extension SecurityView {
    /// The section, newest first: each line's day and time in a narrow column beside what happened,
    /// from which browser and address, and the warning of a wrong code after the right password.
    static func activitySection(_ section: ActivitySection) -> HTML {
        """
        <section class="card" id="activity" aria-labelledby="activity-title">
          <h2 id="activity-title" class="card__title">Recent activity</h2>
          \(section.lines.isEmpty ? "<p>Nothing yet.</p>" as HTML : """
            <ul class="activity">
              \(HTML.each(section.lines, activityLine))
            </ul>
            """)
          \(section.moreHref.map { "<p class=\"activity__more\"><a class=\"button button--secondary\" href=\"\($0)\">Show more</a></p>" as HTML } ?? .empty)
          \(HTML.when(section.olderBeyondMaximum, "<p class=\"muted\">Older entries are kept in your IT provider's audit log.</p>"))
          <p class="muted">If you don't recognise something here, change your password and contact your IT provider.</p>
        </section>
        """
    }

    static func activityLine(_ line: ActivityLine) -> HTML {
        let count: HTML = line.count > 1
            ? " <span class=\"activity__count\">· \(line.countIsAtLeast ? "at least " : "")\(String(line.count)) times</span>"
            : .empty
        return """
        <li class="activity__item\(HTML.when(line.warning?.strength == .strong, " activity__item--alert"))">
          <p class="activity__when"><span class="activity__day">\(line.day)</span> <span class="activity__time">\(line.time)</span></p>
          <div class="activity__body">
            <p class="activity__text">\(line.text)\(count)</p>
            \(line.source.map { "<p class=\"activity__source\">\($0)</p>" as HTML } ?? .empty)
            \(line.warning.map(activityWarning) ?? .empty)
          </div>
        </li>
        """
    }

    /// Google's "Someone has your password": strong when nothing explains it, softer when the same
    /// browser signed in right after or the password has been changed since.
    static func activityWarning(_ warning: ActivityLine.Warning) -> HTML {
        let clause: HTML = warning.provider.map { "the sign-in at \($0) succeeded, then \(warning.secondStep)" as HTML }
            ?? "the right password was entered, then \(warning.secondStep)"
        let sentence: HTML = warning.provider.map { "The sign-in at \($0) succeeded, then \(warning.secondStep)" as HTML }
            ?? "The right password was entered, then \(warning.secondStep)"
        let remedy: HTML = warning.provider == nil ? "<a href=\"#password-title\">change your password</a>" : "contact your IT provider"
        switch warning.strength {
        case .strong:
            let title: HTML = warning.provider == nil ? "Someone may have your password" : "Someone may be able to sign in as you"
            return """
            <p class="activity__warning activity__warning--strong"><strong>\(title)</strong> — \(clause). If this wasn't you, \(remedy).</p>
            """
        case .signedInAfter:
            return """
            <p class="activity__warning">\(sentence); this browser signed in right after, so it was probably you. If it wasn't, \(remedy).</p>
            """
        case .passwordChangedSince:
            return "<p class=\"activity__warning\">\(sentence). Your password has been changed since.</p>"
        }
    }
}
