/// One signed-in session in the Security tab's list.
public struct SessionItem: Sendable {
    public var id: Int64
    public var device: String
    public var ip: String
    public var started: String
    public var lastActive: String
    public var current: Bool

    public init(id: Int64, device: String, ip: String, started: String, lastActive: String, current: Bool) {
        self.id = id
        self.device = device
        self.ip = ip
        self.started = started
        self.lastActive = lastActive
        self.current = current
    }
}

extension SecurityView {
    /// "Signed-in sessions": where the account is signed in, with a way to sign each one out.
    static func sessionsSection(_ sessions: [SessionItem], message: Message?, csrf: String, owner: String?) -> HTML {
        """
        <section class="card" id="sessions" aria-labelledby="sessions-title">
          <h2 id="sessions-title" class="card__title">Signed-in sessions</h2>
          \(Form.alert(message))
          <ul class="keys">
            \(HTML.each(sessions) { session in """
              <li class="keys__item">
                <div class="keys__main">
                  <p class="keys__name">\(session.device)\(HTML.when(session.current, " <span class=\"badge badge--on\">This device</span>"))</p>
                  <p class="keys__meta">\(session.ip.isEmpty ? "Unknown address" : session.ip) · Signed in \(session.started) · Last active \(session.lastActive)</p>
                </div>
                \(session.current || owner != nil ? HTML.empty : """
                  <form method="post" action="/portal/profile/security/sessions/\(String(session.id))/revoke">
                    \(Form.csrf(csrf))
                    <button type="submit" class="button button--secondary">Sign out<span class="visually-hidden"> \(session.device), signed in \(session.started)</span></button>
                  </form>
                  """)
              </li>
              """ })
          </ul>
          \(owner.map { OwnerOnly.button("Sign out of other sessions", owner: $0, id: "sessions-owner-only") } ?? HTML.when(sessions.count > 1, """
            <a class="button button--danger-quiet" href="/portal/profile/security/sessions/revoke-others">Sign out of all other sessions…</a>
            """))
        </section>
        """
    }
}
