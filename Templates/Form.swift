/// Form parts written the same way everywhere: labels tied to inputs, errors tied to fields with
/// `aria-describedby` and `aria-invalid`, the CSRF token in every form.
public enum Form {
    /// The hidden CSRF field every POST form carries.
    public static func csrf(_ token: String) -> HTML {
        "<input type=\"hidden\" name=\"csrf_token\" value=\"\(token)\">"
    }

    /// A labelled text-like input with its hint and error.
    public static func field(
        id: String, name: String, label: String, type: String = "text", value: String = "",
        error: String? = nil, hint: String? = nil, rules: [String] = [], required: Bool = false, autocomplete: String? = nil,
        maxLength: Int? = nil, extra: HTML = .empty
    ) -> HTML {
        var describedBy: [String] = []
        if hint != nil { describedBy.append("\(id)-hint") }
        if !rules.isEmpty { describedBy.append("\(id)-rules") }
        if error != nil { describedBy.append("\(id)-error") }
        let described: HTML = describedBy.isEmpty ? .empty : " aria-describedby=\"\(describedBy.joined(separator: " "))\""
        let invalid: HTML = error == nil ? .empty : " aria-invalid=\"true\""
        let requiredAttribute: HTML = required ? " required aria-required=\"true\"" : .empty
        let auto: HTML = autocomplete.map { " autocomplete=\"\($0)\"" } ?? .empty
        let max: HTML = maxLength.map { " maxlength=\"\($0)\"" } ?? .empty
        let requiredMark: HTML = required ? " <span class=\"field__required\">(required)</span>" : .empty
        return """
        <div class="field\(error == nil ? "" : " field--error")">
          <label class="field__label" for="\(id)">\(label)\(requiredMark)</label>
          <input class="field__input" id="\(id)" name="\(name)" type="\(type)" value="\(value)"\(requiredAttribute)\(auto)\(max)\(described)\(invalid)\(extra)>
          \(hint.map { "<p class=\"field__hint\" id=\"\(id)-hint\">\($0)</p>" as HTML } ?? .empty)
          \(HTML.when(!rules.isEmpty, """
            <ul class="field__hint field__rules" id="\(id)-rules">\(HTML.each(rules) { "<li>\($0)</li>" })</ul>
            """))
          \(error.map { "<p class=\"field__error\" id=\"\(id)-error\">\($0)</p>" as HTML } ?? .empty)
        </div>
        """
    }

    /// Every rule a new password is held to (Validation.newPassword enforces them; a test holds the two together).
    public static let newPasswordRules = [
        "At least 8 characters (and at most 128)",
        "Not your email address",
        "Not one of the 30,000 most common passwords",
    ]

    /// "Show passwords": turns the form's password fields into text and back (a script's button; without
    /// one the fields stay hidden).
    public static let showPasswords: HTML = """
        <button type="button" class="button button--quiet button--small show-passwords" data-show-passwords aria-pressed="false" data-js-only hidden>Show passwords</button>
        """

    /// A labelled checkbox that submits "on" when ticked.
    public static func checkbox(id: String, name: String, label: String, checked: Bool, hint: String? = nil) -> HTML {
        let described: HTML = hint == nil ? .empty : " aria-describedby=\"\(id)-hint\""
        return """
        <div class="switch">
          <input class="switch__input" type="checkbox" id="\(id)" name="\(name)" value="on"\(HTML.when(checked, " checked"))\(described)>
          <label class="switch__label" for="\(id)">\(label)</label>
          \(hint.map { "<p class=\"field__hint\" id=\"\(id)-hint\">\($0)</p>" as HTML } ?? .empty)
        </div>
        """
    }

    /// A message for the whole form: a confirmation (announced politely) or an error (announced at once).
    public static func alert(_ message: Message?) -> HTML {
        guard let message else { return .empty }
        switch message.kind {
        case .success:
            return "<div class=\"alert alert--success\" role=\"status\">\(message.text)</div>"
        case .error:
            return "<div class=\"alert alert--error\" role=\"alert\">\(message.text)</div>"
        case .info:
            return "<div class=\"alert alert--info\" role=\"status\">\(message.text)</div>"
        }
    }
}

/// A confirmation or an error shown at the top of a form or page.
public struct Message: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case success, error, info }
    public var kind: Kind
    public var text: String

    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}
