import Foundation
import Mail
import Store

/// Sends the outbox through an SMTP server on a thread of its own. A message leaves the outbox only when
/// the server has accepted it; a server that is down, answers 4xx, or cannot be spoken to over TLS
/// where TLS is required (`SMTPConfiguration.requireTLS`: any relay not on this machine) is tried again
/// with back-off (5 s, 10 s, 20 s … at most 10 minutes apart), forever; a 5xx refusal marks the message
/// failed, kept for staff to see. Nothing is ever dropped.
final class MailDelivery: @unchecked Sendable {
    private let portal: Portal
    /// Read by the tests, to see the TLS policy applied.
    let smtp: SMTPConfiguration
    private let from: MailAddress
    private let condition = NSCondition()
    private var running = false
    private var stopped = false
    private var thread: Thread?
    /// Set by wake() so a wake-up during a pass is not lost.
    private var wakeRequested = false

    init(portal: Portal, smtp: SMTPConfiguration, from: MailAddress) {
        self.portal = portal
        self.smtp = smtp
        self.from = from
    }

    static func backoff(afterAttempts attempts: Int) -> Int64 {
        min(600, 5 << Int64(min(max(attempts - 1, 0), 8)))
    }

    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !running else { return }
        running = true
        let thread = Thread { [self] in self.loop() }
        thread.name = "clientone-mail"
        self.thread = thread
        thread.start()
    }

    /// Asks the worker to look at the outbox now (a message was just committed).
    func wake() {
        condition.lock()
        wakeRequested = true
        condition.signal()
        condition.unlock()
    }

    /// Finishes the message in hand, then stops.
    func stop() {
        condition.lock()
        guard running else { condition.unlock(); return }
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            deliverDue()
            condition.lock()
            if !stopped && !wakeRequested { _ = condition.wait(until: Date().addingTimeInterval(1)) }
            wakeRequested = false
            let finish = stopped
            if finish {
                running = false
                condition.broadcast()
            }
            condition.unlock()
            if finish { return }
        }
    }

    /// One pass: every pending message whose time has come, oldest first.
    private func deliverDue() {
        let now = portal.now
        guard let rows = try? portal.pool.withConnection({ db in
            try db.query("SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= \(now) ORDER BY id LIMIT 50")
        }) else { return }
        for row in rows {
            guard let message = try? portal.openOutboxRow(row) else { continue }
            deliver(message)
        }
    }

    private func deliver(_ message: OutboxMessage) {
        let outcome: (status: OutboxMessage.Status, error: String?)
        do {
            let mail = try MailMessage(from: from, to: try MailAddress(message.recipient), subject: message.subject,
                                       body: message.body, hostName: smtp.heloName)
            try SMTPClient(smtp).send(mail)
            outcome = (.sent, nil)
        } catch {
            // Every throw here is a MailError (typed throws): transient ones are tried again.
            outcome = (Self.triesAgain(after: error) ? .pending : .failed, error.description)
        }
        let now = portal.now
        let attempts = message.attempts + 1
        _ = try? portal.pool.write { db in
            let sentAt = outcome.status == .sent ? now : nil
            try db.run("""
                UPDATE outbox SET status = \(outcome.status), attempts = \(attempts), last_error = \(outcome.error), sent_at = \(sentAt),
                    next_attempt_at = \(now + Self.backoff(afterAttempts: attempts)) WHERE id = \(message.id)
                """)
        }
        let retry = outcome.status == .pending ? ", tried again in \(Self.backoff(afterAttempts: attempts)) s" : ""
        portal.log("mail \(message.id) to \(message.recipient): \(outcome.status.rawValue)\(retry)\(outcome.error.map { " (\($0))" } ?? "")")
    }

    /// Whether a message stays queued after `error`. Besides transient failures, TLS failures (no
    /// STARTTLS from a relay that must use it, a certificate that does not verify) are tried again:
    /// they are the relay's configuration, which its operator fixes, and the message must then go out
    /// over TLS rather than be given up. Only a permanent refusal (5xx) or a message that cannot be
    /// built ends as failed.
    static func triesAgain(after error: MailError) -> Bool {
        if case .tls = error { return true }
        return error.isTransient
    }
}
