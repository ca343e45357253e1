import Crypto
import Foundation
@testable import Portal
import Store
import Testing
import TestSupport

/// One key per purpose: the key file's key neither encrypts nor keys an HMAC any more; each use has its
/// own HKDF sub-key, and a database written by the old code is upgraded when the key is opened.
@Suite struct HardeningKeySeparationTests {
    /// RFC 6238's secret, "12345678901234567890", and its base32 for oathtool.
    static let totpSecret = Array("12345678901234567890".utf8)
    static let totpBase32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    /// HKDF-SHA-256 written out from RFC 5869 §2.2–2.3 with HMAC (one block is all a 32-byte key needs),
    /// independent of the OpenSSL EVP_KDF the console uses.
    static func hkdf(_ master: [UInt8], label: String) -> [UInt8] {
        let prk = HMAC.code(.sha256, key: Array("clientone key separation v1".utf8), message: master)
        return HMAC.code(.sha256, key: prk, message: Array("clientone/\(label)".utf8) + [0x01])
    }

    static func keyFile(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test("The encryption keys and the recovery-code HMAC key are different HKDF sub-keys with distinct labels, none the key file's key")
    func subKeys() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        _ = try console.browser().submit("/login/forgot", from: "/login/forgot", [("email", "jane@northwind.example")])
        let master = try Self.keyFile(console.directory.file("console.db.key"))
        let totpKey = Self.hkdf(master, label: "totp-secrets")
        let recoveryKey = Self.hkdf(master, label: "recovery-codes")
        let outboxKey = Self.hkdf(master, label: "outbox")
        let checkKey = Self.hkdf(master, label: "key-check")
        #expect(Set([master, totpKey, recoveryKey, outboxKey, checkKey]).count == 5)
        let key = console.portal.secretKey
        #expect(key.totpKey == totpKey && key.recoveryCodeKey == recoveryKey && key.outboxKey == outboxKey && key.checkKey == checkKey)
        #expect(key.totpKey != key.recoveryCodeKey, "the key that encrypts is not the key that HMACs")

        let db = try Database(path: console.directory.file("console.db"))
        defer { db.close() }
        let jane = try #require(try db.queryOne("SELECT id FROM customer_users WHERE email = 'jane@northwind.example'")?.int64("id"))
        let sealed = try #require(try db.queryOne("SELECT secret_sealed FROM totp_credentials")?.blob("secret_sealed"))
        let associatedData = Array("totp:customer:\(jane)".utf8)
        let secret = try AESGCM.open(sealed, key: totpKey, associatedData: associatedData)
        #expect(Base32Oracle.encode(secret) == enrolled.secret.replacingOccurrences(of: " ", with: ""))
        #expect(throws: (any Error).self) { try AESGCM.open(sealed, key: master, associatedData: associatedData) }

        let hashes = try db.query("SELECT code_hash, key_version FROM recovery_codes")
        #expect(hashes.count == 10 && hashes.allSatisfy { $0.int64("key_version") == 2 })
        let code = enrolled.recoveryCodes[0].lowercased().replacingOccurrences(of: "-", with: "")
        #expect(hashes.contains { $0.blob("code_hash") == HMAC.code(.sha256, key: recoveryKey, message: Array(code.utf8)) })
        #expect(!hashes.contains { $0.blob("code_hash") == HMAC.code(.sha256, key: master, message: Array(code.utf8)) })

        let check = try #require(try db.queryOne("SELECT value FROM settings WHERE key = 'key_check'")?.blob("value"))
        #expect(try AESGCM.open(check, key: checkKey, associatedData: Array("key_check".utf8)) == Array("clientone key check v1".utf8))
        #expect(throws: (any Error).self) { try AESGCM.open(check, key: master, associatedData: Array("key_check".utf8)) }
        let mail = try #require(try db.queryOne("SELECT * FROM outbox WHERE kind = 'password_reset'"))
        let body = try AESGCM.open(try #require(mail.blob("body_sealed")), key: outboxKey,
                                   associatedData: OutboxBinding.associatedData(kind: "password_reset", recipient: "jane@northwind.example",
                                                                                 subject: mail.string("subject") ?? ""))
        #expect(String(decoding: body, as: UTF8.self).contains("/login/reset?token="))
    }

    /// A database as the code before key separation wrote it: migrations 0001–0006, the key check, an
    /// authenticator secret each for a customer and a staff member sealed under the key file's key
    /// itself, two recovery codes hashed under HMAC(key, "clientone:recovery-codes") and a held outbox
    /// message sealed under HMAC(key, "clientone:outbox") bound to its recipient only.
    static func writeOldDatabase(at path: String, master: [UInt8]) throws -> (customer: Int64, staff: Int64, codes: [String]) {
        #expect(FileManager.default.createFile(atPath: path + ".key", contents: Data(master), attributes: [.posixPermissions: 0o600]))
        let db = try Database(path: path)
        defer { db.close() }
        let old = Migrator(Array(Schema.migrator.migrations.prefix { $0.name != "0007-key-separation" }))
        #expect(try old.migrate(db).count == 6)
        let hash = PasswordHasher(iterations: 1_000).hash(TestConsole.password)
        try db.run("INSERT INTO settings (key, value) VALUES ('key_check', ?)",
                   try AESGCM.seal(Array("clientone key check v1".utf8), key: master, associatedData: Array("key_check".utf8)))
        try db.run("INSERT INTO clients (name, created_at) VALUES ('Northwind Traders', 0)")
        let client = db.lastInsertRowID
        try db.run("""
            INSERT INTO customer_users (client_id, email, name, password_hash, status, created_at, updated_at)
            VALUES (?, 'jane@northwind.example', 'Jane Doe', ?, 'active', 0, 0)
            """, client, hash)
        let customer = db.lastInsertRowID
        try db.run("INSERT INTO totp_credentials (customer_user_id, secret_sealed, enabled_at) VALUES (?, ?, 0)", customer,
                   try AESGCM.seal(totpSecret, key: master, associatedData: Array("totp:customer:\(customer)".utf8)))
        let codes = ["abcde-fghjk", "mnpqr-stvwx"]
        let oldRecoveryKey = HMAC.code(.sha256, key: master, message: Array("clientone:recovery-codes".utf8))
        for code in codes {
            try db.run("INSERT INTO recovery_codes (customer_user_id, code_hash, created_at) VALUES (?, ?, 0)", customer,
                       HMAC.code(.sha256, key: oldRecoveryKey, message: Array(code.replacingOccurrences(of: "-", with: "").utf8)))
        }
        try db.run("INSERT INTO staff (email, name, password_hash, created_at) VALUES ('morgan@msp.example', 'Morgan Reyes', ?, 0)", hash)
        let staff = db.lastInsertRowID
        try db.run("INSERT INTO staff_totp_credentials (staff_id, secret_sealed, enabled_at) VALUES (?, ?, 0)", staff,
                   try AESGCM.seal(totpSecret, key: master, associatedData: Array("totp:staff:\(staff)".utf8)))
        let oldOutboxKey = HMAC.code(.sha256, key: master, message: Array("clientone:outbox".utf8))
        try db.run("""
            INSERT INTO outbox (created_at, kind, recipient, subject, body_sealed, status, next_attempt_at)
            VALUES (0, 'password_reset', 'jane@northwind.example', 'Reset your ClientOne password', ?, 'held', 0)
            """, try AESGCM.seal(Array("the old reset body".utf8), key: oldOutboxKey, associatedData: Array("outbox:jane@northwind.example".utf8)))
        return (customer, staff, codes)
    }

    @Test("A database written by the old code keeps working: secrets, outbox and check re-sealed under sub-keys; old recovery codes still work until regenerated")
    func upgrade() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("old.db")
        let master = [UInt8](repeating: 0x5A, count: 16) + [UInt8](0..<16)
        let old = try Self.writeOldDatabase(at: path, master: master)

        let console = try TestConsole { $0.databasePath = path }
        let db = try Database(path: path)
        defer { db.close() }
        #expect(try db.queryOne("SELECT 1 AS one FROM settings WHERE key = 'key_separation_pending'") == nil, "the upgrade finished")
        let totpKey = Self.hkdf(master, label: "totp-secrets")
        for (table, column, owner) in [("totp_credentials", "customer_user_id", "customer:\(old.customer)"),
                                       ("staff_totp_credentials", "staff_id", "staff:\(old.staff)")] {
            let sealed = try #require(try db.queryOne("SELECT secret_sealed FROM \(identifier: table) WHERE \(identifier: column) IS NOT NULL")?.blob("secret_sealed"))
            #expect(try AESGCM.open(sealed, key: totpKey, associatedData: Array("totp:\(owner)".utf8)) == Self.totpSecret)
            #expect(throws: (any Error).self) { try AESGCM.open(sealed, key: master, associatedData: Array("totp:\(owner)".utf8)) }
        }
        let check = try #require(try db.queryOne("SELECT value FROM settings WHERE key = 'key_check'")?.blob("value"))
        #expect(try AESGCM.open(check, key: Self.hkdf(master, label: "key-check"), associatedData: Array("key_check".utf8))
                == Array("clientone key check v1".utf8))
        #expect(try db.query("SELECT key_version FROM recovery_codes").map { $0.int64("key_version") } == [1, 1])

        // The outbox body reads back under its new key and binding.
        #expect(try console.portal.outboxMessages().map(\.body) == ["the old reset body"])
        // The customer signs in with the authenticator code, and with an old recovery code.
        console.clock.advance(by: 60)
        let (_, withCode) = try console.signInWithCode(try Oracles.totp(base32: Self.totpBase32, at: console.clock.now()))
        #expect(withCode.status == 303 && withCode.header("Location") == "/portal/profile")
        let (browser, withRecovery) = try console.signInWithCode(old.codes[0])
        #expect(withRecovery.status == 303 && withRecovery.header("Location") == "/portal/profile")
        #expect(try console.signInWithCode(old.codes[0]).1.status != 303, "a used code stays used")
        // The staff member's authenticator secret opens too.
        console.clock.advance(by: 60)
        let staffCode = try Oracles.totp(base32: Self.totpBase32, at: console.clock.now())
        #expect(try console.portal.pool.write { db in
            try console.portal.acceptAuthenticatorCode(db, owner: .staff(old.staff), code: staffCode, at: console.clock.now())
        })

        // Regenerating replaces the old rows with version-2 ones; the remaining old code stops working.
        let answer = try browser.submit("/portal/profile/security/recovery-codes/regenerate", from: "/portal/profile/security",
                                        [("password", TestConsole.password)])
        #expect(answer.status == 303, "post/redirect/get to the codes page")
        let regenerated = try browser.get(try #require(answer.header("Location")))
        #expect(regenerated.status == 200)
        #expect(regenerated.text.captures("<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>").count == 10)
        #expect(try db.query("SELECT key_version FROM recovery_codes").allSatisfy { $0.int64("key_version") == 2 })
        #expect(try db.queryOne("SELECT count(*) AS n FROM recovery_codes")?.int("n") == 10)
        #expect(try console.signInWithCode(old.codes[1]).1.status != 303)
    }

    @Test("Opening an upgraded database again changes nothing; a wrong key file is still refused before anything is re-sealed")
    func reopenAndMismatch() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("old.db")
        let master = [UInt8](repeating: 0x33, count: 32)
        _ = try Self.writeOldDatabase(at: path, master: master)

        // A different key file: the old check value does not open, so nothing is touched.
        let wrongPath = directory.file("wrong.key")
        #expect(FileManager.default.createFile(atPath: wrongPath, contents: Data([UInt8](repeating: 0x44, count: 32)),
                                               attributes: [.posixPermissions: 0o600]))
        #expect(throws: SecretKeyError.self) { _ = try TestConsole { $0.databasePath = path; $0.keyFilePath = wrongPath } }
        let db = try Database(path: path)
        defer { db.close() }
        #expect(try db.queryOne("SELECT 1 AS one FROM settings WHERE key = 'key_separation_pending'") != nil, "still pending")
        let sealed = try #require(try db.queryOne("SELECT secret_sealed FROM totp_credentials")?.blob("secret_sealed"))
        let owner = try #require(try db.queryOne("SELECT customer_user_id FROM totp_credentials")?.int64("customer_user_id"))
        #expect(try AESGCM.open(sealed, key: master, associatedData: Array("totp:customer:\(owner)".utf8)) == Self.totpSecret)

        // The right key: upgraded once; the next start finds nothing pending and the same values.
        do { _ = try TestConsole { $0.databasePath = path } }
        let afterFirst = try db.query("SELECT secret_sealed FROM totp_credentials").map { $0.blob("secret_sealed") }
        do { _ = try TestConsole { $0.databasePath = path } }
        #expect(try db.query("SELECT secret_sealed FROM totp_credentials").map { $0.blob("secret_sealed") } == afterFirst)
        #expect(try db.queryOne("SELECT 1 AS one FROM settings WHERE key = 'key_separation_pending'") == nil)
    }

    @Test("Swapping two outbox bodies for the same recipient (a reset and a password-changed notice) makes opening fail, never delivers the wrong body")
    func swappedOutboxBodies() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.browser().submit("/login/forgot", from: "/login/forgot", [("email", "jane@northwind.example")])
        let changed = try console.signedIn().submit("/portal/profile/password", from: "/portal/profile/security", [
            ("current_password", TestConsole.password), ("new_password", "a brand new passphrase"),
            ("confirm_password", "a brand new passphrase"),
        ])
        #expect(changed.status == 303)
        let messages = try console.portal.outboxMessages()
        #expect(Set(messages.map(\.kind)) == ["password_reset", "password_changed"])
        #expect(Set(messages.map(\.recipient)) == ["jane@northwind.example"])

        let db = try Database(path: console.directory.file("console.db"))
        defer { db.close() }
        let rows = try db.query("SELECT id, body_sealed FROM outbox ORDER BY id")
        try #require(rows.count == 2)
        try db.run("UPDATE outbox SET body_sealed = ? WHERE id = ?", rows[1].blob("body_sealed"), rows[0].int64("id"))
        try db.run("UPDATE outbox SET body_sealed = ? WHERE id = ?", rows[0].blob("body_sealed"), rows[1].int64("id"))

        #expect(throws: CryptoError.self) { _ = try console.portal.outboxMessages() }
        for row in try db.query("SELECT * FROM outbox") {
            #expect(throws: CryptoError.self) { _ = try console.portal.openOutboxRow(row) }
        }
        let page = try console.staffSignedIn().get("/admin/outbox")
        #expect(!page.text.contains("/login/reset?token="), "no reset link is shown under another message's heading")
    }
}

/// RFC 4648 base32 without padding, to compare with the secret the set-up page shows.
enum Base32Oracle {
    static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var output = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return output
    }
}
