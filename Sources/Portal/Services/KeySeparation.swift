import Crypto
import Store

/// The upgrade to one key per purpose (migration 0007-key-separation). Before it, the key file's key
/// sealed authenticator secrets (customers' and staff's) and the key check value itself, and keyed the
/// HMAC that derived the outbox and recovery-code keys. The SQL part of the migration cannot re-seal
/// (it has no key), so it marks the database `key_separation_pending` when it holds sealed data;
/// `SecretKey.open`, which has the key, then calls `upgrade` in one write transaction: every
/// authenticator secret, every outbox body and the check value are opened under their old keys and
/// sealed again under their HKDF sub-keys, and the mark is removed. A crash before that commit leaves
/// the mark, and the next start does it all again from the old values.
///
/// Recovery codes are stored only as HMACs and cannot be re-hashed without the codes: the migration
/// marks existing rows `key_version = 1`, which are checked under the old derivation until the account
/// regenerates its codes (see `RecoveryCodes`).
enum KeySeparation {
    static let pendingSetting = "key_separation_pending"

    /// Why the upgrade stopped: a value that does not open under its old key (the database or the key
    /// file was altered). Nothing is changed then, and the console does not start.
    struct Failure: Error, CustomStringConvertible {
        let what: String
        var description: String {
            "cannot upgrade to per-purpose keys: \(what) does not open under the key file's key; the database or the key file was altered (restore both from the same backup)"
        }
    }

    /// Re-seals everything sealed before key separation, inside the caller's write transaction.
    static func upgrade(_ db: Database, master: [UInt8], to key: SecretKey) throws {
        func reopen(_ sealed: [UInt8]?, key: [UInt8], associatedData: [UInt8], what: String) throws -> [UInt8] {
            guard let sealed, let plain = try? AESGCM.open(sealed, key: key, associatedData: associatedData) else {
                throw Failure(what: what)
            }
            return plain
        }
        // Authenticator secrets: same associated data (the owner), new key.
        let owners: [(table: String, column: String, owner: (Int64) -> KeyOwner)] = [
            ("totp_credentials", "customer_user_id", KeyOwner.customer), ("staff_totp_credentials", "staff_id", KeyOwner.staff),
        ]
        for (table, column, owner) in owners {
            for row in try db.query("SELECT \(identifier: column) AS id, secret_sealed FROM \(identifier: table)") {
                let id: Int64 = try row.decode("id")
                let associatedData = owner(id).totpAssociatedData
                let secret = try reopen(try row.decode("secret_sealed"), key: master, associatedData: associatedData,
                                        what: "the authenticator secret of \(table) \(id)")
                let resealed = try AESGCM.seal(secret, key: key.totpKey, associatedData: associatedData)
                try db.run("UPDATE \(identifier: table) SET secret_sealed = \(resealed) WHERE \(identifier: column) = \(id)")
            }
        }
        // Outbox bodies: the old derived key and recipient-only binding, to the new key and the binding
        // of kind, recipient and subject.
        let oldOutboxKey = SecretKey.legacyDerived(master, "outbox")
        for row in try db.query("SELECT id, kind, recipient, subject, body_sealed FROM outbox") {
            let id: Int64 = try row.decode("id")
            let recipient: String = try row.decode("recipient")
            let body = try reopen(try row.decode("body_sealed"), key: oldOutboxKey, associatedData: Array("outbox:\(recipient)".utf8),
                                  what: "the body of outbox message \(id)")
            let associatedData = OutboxBinding.associatedData(kind: try row.decode("kind"), recipient: recipient,
                                                              subject: try row.decode("subject"))
            let resealed = try AESGCM.seal(body, key: key.outboxKey, associatedData: associatedData)
            try db.run("UPDATE outbox SET body_sealed = \(resealed) WHERE id = \(id)")
        }
        let check = try AESGCM.seal(SecretKey.checkPlaintext, key: key.checkKey, associatedData: SecretKey.checkAssociatedData)
        try db.run("UPDATE settings SET value = \(check) WHERE key = 'key_check'")
        try db.run("DELETE FROM settings WHERE key = \(pendingSetting)")
    }
}
