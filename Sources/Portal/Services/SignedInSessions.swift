#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Store

/// A signed-in session as the Security tab lists it.
public struct SessionSummary: Sendable, Equatable {
    public var id: Int64
    /// "Chrome on Windows", from the User-Agent.
    public var device: String
    public var ip: String
    public var createdAt: Int64
    public var lastSeenAt: Int64
    public var current: Bool
}

extension Portal {
    /// The Security tab lists them on every view. Parameters: the customer, the current session, the
    /// time, and the time before which a session counts as idle.
    private static let liveSessionsQuery = SQLTemplate {
        (customerID: SQLParameter<Int64>, current: SQLParameter<Int64>, time: SQLParameter<Int64>, idleBefore: SQLParameter<Int64>) in
        """
        SELECT id, user_agent, ip, created_at, last_seen_at FROM sessions
        WHERE customer_user_id = \(customerID) AND stage = 'active' AND impersonator_staff_id IS NULL
          AND expires_at > \(time) AND last_seen_at > \(idleBefore)
        ORDER BY (id = \(current)) DESC, last_seen_at DESC, id DESC
        """
    }

    /// The account's sessions that are signed in (not those waiting for a second factor, nor an
    /// administrator's view), the current one first, then by last activity.
    func signedInSessions(customerID: Int64, current: Int64) throws -> [SessionSummary] {
        let time = now
        let idle = configuration.effectiveIdleTimeout
        return try pool.withConnection { db in
            try db.query(Self.liveSessionsQuery(customerID, current, time, time - idle)).map { row in
                let id: Int64 = try row.decode("id")
                return SessionSummary(id: id, device: UserAgent.describe(try row.decode("user_agent")), ip: try row.decode("ip"),
                                      createdAt: try row.decode("created_at"), lastSeenAt: try row.decode("last_seen_at"),
                                      current: id == current)
            }
        }
    }

    /// Signs one of the account's other sessions out; false when it is not one of them.
    func revokeSession(id: Int64, customerID: Int64, current: Int64, actor: Actor) throws -> Bool {
        try actor.mustBeTheCustomer("Signing the customer's other sessions out")
        return try pool.write { db in
            guard id != current, try db.run("""
                DELETE FROM sessions WHERE id = \(id) AND customer_user_id = \(customerID) AND impersonator_staff_id IS NULL
                """) == 1 else { return false }
            try Audit.record(db, .sessionRevoked, actor: actor, at: now, detail: "one session")
            try confirm(db, .sessionsRevoked, to: actor)
            return true
        }
    }

    /// Signs every other session of the account out; returns how many.
    func revokeOtherSessions(customerID: Int64, current: Int64, actor: Actor) throws -> Int {
        try actor.mustBeTheCustomer("Signing the customer's other sessions out")
        return try pool.write { db in
            let count = try db.run("""
                DELETE FROM sessions WHERE customer_user_id = \(customerID) AND id <> \(current) AND impersonator_staff_id IS NULL
                """)
            try Audit.record(db, .sessionRevoked, actor: actor, at: now, detail: "all other sessions (\(count))")
            try confirm(db, .sessionsRevoked, to: actor)
            return count
        }
    }

    /// "Stay signed in": notes activity now, so the idle time-out starts again.
    func touchSession(_ session: Session) throws {
        try pool.write { db in _ = try db.run("UPDATE sessions SET last_seen_at = \(now) WHERE id = \(session.id)") }
    }
}

/// The browser and operating system of a User-Agent, in words, for the sessions list. Only the common
/// families are named; anything else is "Unknown browser".
enum UserAgent {
    static func describe(_ agent: String) -> String {
        // The bytes searched directly: String.contains(String) from the standard library's string
        // processing is a generic substring search that cost this page ~200,000 instructions for these
        // fifteen look-ups (measured with scripts/bench-page), where a byte scan of ≤ 512 bytes is cheap.
        let agent = Array(agent.utf8)
        let browser: String?
        if has(agent, "Edg/") || has(agent, "EdgA/") || has(agent, "EdgiOS/") { browser = "Edge" }
        else if has(agent, "OPR/") { browser = "Opera" }
        else if has(agent, "Firefox/") || has(agent, "FxiOS/") { browser = "Firefox" }
        else if has(agent, "Chrome/") || has(agent, "CriOS/") || has(agent, "Chromium/") { browser = "Chrome" }
        else if has(agent, "Safari/") && has(agent, "Version/") { browser = "Safari" }
        else { browser = nil }
        let system: String?
        if has(agent, "iPhone") { system = "iPhone" }
        else if has(agent, "iPad") { system = "iPad" }
        else if has(agent, "Android") { system = "Android" }
        else if has(agent, "Windows") { system = "Windows" }
        else if has(agent, "Mac OS X") || has(agent, "Macintosh") { system = "macOS" }
        else if has(agent, "CrOS") { system = "ChromeOS" }
        else if has(agent, "Linux") { system = "Linux" }
        else { system = nil }
        switch (browser, system) {
        case let (browser?, system?): return "\(browser) on \(system)"
        case let (browser?, nil): return browser
        case let (nil, system?): return "Unknown browser on \(system)"
        case (nil, nil): return "Unknown browser"
        }
    }

    /// Whether `needle` (ASCII) occurs in `haystack`.
    private static func has(_ haystack: [UInt8], _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard count > 0, haystack.count >= count else { return count == 0 }
        let first = needle.utf8Start.pointee
        return haystack.withUnsafeBufferPointer { bytes in
            var index = 0
            while index <= bytes.count - count {
                if bytes[index] == first, memcmp(bytes.baseAddress! + index, needle.utf8Start, count) == 0 { return true }
                index += 1
            }
            return false
        }
    }
}
