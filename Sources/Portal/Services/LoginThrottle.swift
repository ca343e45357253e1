import Store

/// Counts attempts per key and locks a key out for a while after too many. Keys are the email typed
/// ("account:…", whether or not such an account exists, so a lockout reveals nothing) and the client's
/// address ("address:…"). Guesses of a secret count toward one account key per email address, whichever
/// page they were made on (customer sign-in, the administrators' sign-in, a second factor, a password
/// check), so no page is a way around another's lockout; addresses are counted per side. Reset-link
/// requests have keys of their own. Kept in the database: a restart does not reset a lockout.
struct LoginThrottle {
    /// "" for guesses of a secret; "reset:" for reset-link requests.
    let accountScope: String
    /// "" for guesses at the customer pages, "staff:" at the administrators', "reset:" for reset-link requests.
    let addressScope: String
    let window: Int64
    let accountLimit: Int
    let addressLimit: Int

    func accountKey(_ email: String) -> String { accountScope + "account:" + email.lowercased() }
    func addressKey(_ ip: String) -> String { addressScope + "address:" + ip }
    func keys(email: String, ip: String) -> [String] { [accountKey(email), addressKey(ip)] }

    /// What one guess comes to, judged inside the write transaction that records it (`Portal.judgeGuess`).
    enum Verdict: Equatable {
        /// The guess was right and no lockout is in force: the caller goes on.
        case passed
        /// The guess was wrong and has been counted; `lockout` is the seconds of a lockout it started.
        case failed(lockout: Int64?)
        /// A lockout is in force (perhaps started by a parallel guess while this one was being hashed):
        /// the guess is refused whether it was right or wrong, and not counted again.
        case locked(seconds: Int64)
    }

    /// Seconds left on the longest lockout among the keys, or nil when none is locked.
    func lockedFor(_ keys: [String], now: Int64, _ db: Database) throws -> Int64? {
        var longest: Int64 = 0
        for key in keys {
            guard let row = try db.queryOne("SELECT locked_until FROM login_throttle WHERE key = \(key)") else { continue }
            let until: Int64 = try row.decode("locked_until")
            if until > now { longest = max(longest, until - now) }
        }
        return longest > 0 ? longest : nil
    }

    /// Counts one failure against each key; returns the seconds of a lockout this failure started, if any.
    func recordFailure(_ keys: [String], now: Int64, _ db: Database) throws -> Int64? {
        var started: Int64?
        for key in keys {
            let limit = key.hasPrefix(addressScope + "address:") ? addressLimit : accountLimit
            let row = try db.queryOne("SELECT failures, window_started_at FROM login_throttle WHERE key = \(key)")
            // No row yet: the key has no failures, and its window starts now.
            var failures: Int = try row.map { try $0.decode("failures") } ?? 0
            var windowStart: Int64 = try row.map { try $0.decode("window_started_at") } ?? now
            if now - windowStart >= window {
                failures = 0
                windowStart = now
            }
            failures += 1
            var lockedUntil: Int64 = 0
            if failures >= limit {
                lockedUntil = now + window
                started = window
                failures = 0
                windowStart = now
            }
            try db.run("""
                INSERT INTO login_throttle (key, failures, window_started_at, locked_until)
                VALUES (\(key), \(failures), \(windowStart), \(lockedUntil))
                ON CONFLICT(key) DO UPDATE SET failures = excluded.failures,
                    window_started_at = excluded.window_started_at,
                    locked_until = max(login_throttle.locked_until, excluded.locked_until)
                """)
        }
        return started
    }

    /// Forgets the failures of a key (after a successful sign-in to that account).
    func reset(_ key: String, _ db: Database) throws {
        try db.run("DELETE FROM login_throttle WHERE key = \(key)")
    }

    /// "Try again in 15 minutes." — rounded up to whole minutes.
    static func waitMessage(_ seconds: Int64) -> String {
        let minutes = max(1, (seconds + 59) / 60)
        return "Too many failed sign-in attempts. Try again in \(minutes) minute\(minutes == 1 ? "" : "s")."
    }
}

extension Portal {
    var throttle: LoginThrottle {
        LoginThrottle(accountScope: "", addressScope: "", window: configuration.lockoutSeconds,
                      accountLimit: configuration.accountFailureLimit, addressLimit: configuration.addressFailureLimit)
    }

    /// Reset links: 3 a quarter-hour per email address, 10 per client address.
    var resetThrottle: LoginThrottle {
        LoginThrottle(accountScope: "reset:", addressScope: "reset:", window: 15 * 60, accountLimit: 3, addressLimit: 10)
    }
}
