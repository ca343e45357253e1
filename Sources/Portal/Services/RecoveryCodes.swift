import Crypto
import Store

/// Recovery codes: ten one-time codes of 50 bits each, `xxxxx-xxxxx` from 32 characters that cannot be
/// mistaken for one another (no i, l, o or u). Only keyed hashes are stored.
///
/// Each row records the key its hash was made with (`key_version`), because a hash cannot be redone
/// without the code it hides: version 2, the current one, is HMAC-SHA-256 under the HKDF sub-key
/// "clientone/recovery-codes" (`SecretKey.recoveryCodeKey`); version 1 rows, from before key
/// separation, used HMAC under HMAC(key file's key, "clientone:recovery-codes") and are checked under
/// that key (`SecretKey.legacyRecoveryCodeKey`) until the account regenerates its codes, which
/// replaces every row with version 2. A typed code is compared only with the hash its row's version
/// prescribes, so the old key can never vouch for a new row.
enum RecoveryCodes {
    /// The key version new rows are written with (the column's default too).
    static let currentKeyVersion: Int64 = 2

    static let count = 10
    /// Lower-case letters and digits without look-alikes: 32 symbols, 5 bits each.
    static let alphabet = Array("abcdefghjkmnpqrstvwxyz0123456789")
    /// Fewer than this many left and the Security tab warns.
    static let lowWarning = 3

    static func generate() -> [String] {
        (0..<count).map { _ in
            let symbols = (0..<10).map { _ in alphabet[SecureRandom.uniform(below: alphabet.count)] }
            return String(symbols[0..<5]) + "-" + String(symbols[5..<10])
        }
    }

    /// The form a typed code is compared in: lower-case, without spaces or hyphens.
    static func normalize(_ typed: String) -> String {
        String(typed.lowercased().filter { $0 != "-" && !$0.isWhitespace })
    }

    /// Whether typed text has the shape of a recovery code (so a 6-digit code is never taken for one).
    static func looksLikeCode(_ typed: String) -> Bool {
        let normalized = normalize(typed)
        return normalized.count == 10 && normalized.allSatisfy { alphabet.contains($0) }
    }

    static func hash(_ code: String, key: [UInt8]) -> [UInt8] {
        HMAC.code(.sha256, key: key, message: Array(normalize(code).utf8))
    }
}

extension Portal {
    var recoveryCodeKey: [UInt8] { secretKey.recoveryCodeKey }

    /// Replaces every recovery code of the account with a new set; returns the codes to show once.
    func replaceRecoveryCodes(_ db: Database, customerID: Int64, at time: Int64) throws -> [String] {
        let codes = RecoveryCodes.generate()
        try db.run("DELETE FROM recovery_codes WHERE customer_user_id = \(customerID)")
        for code in codes {
            try db.run("""
                INSERT INTO recovery_codes (customer_user_id, code_hash, created_at, key_version)
                VALUES (\(customerID), \(RecoveryCodes.hash(code, key: recoveryCodeKey)), \(time), \(RecoveryCodes.currentKeyVersion))
                """)
        }
        return codes
    }

    func remainingRecoveryCodes(_ db: Database, customerID: Int64) throws -> Int {
        // An aggregate always returns its one row.
        try db.queryOne(Self.remainingCodesOf(customerID)).map { try $0.decode("n") } ?? 0
    }

    private static let remainingCodesOf = SQLTemplate { (customerID: SQLParameter<Int64>) in
        "SELECT count(*) AS n FROM recovery_codes WHERE customer_user_id = \(customerID) AND used_at IS NULL"
    }

    /// Uses up a recovery code: true when it was unused, and from then on it is spent.
    func consumeRecoveryCode(_ db: Database, customerID: Int64, code: String, at time: Int64) throws -> Bool {
        guard RecoveryCodes.looksLikeCode(code) else { return false }
        // Each row is compared with the hash under its own version's key (see `RecoveryCodes`).
        let changed = try db.run("""
            UPDATE recovery_codes SET used_at = \(time)
            WHERE customer_user_id = \(customerID) AND used_at IS NULL
                AND code_hash = CASE key_version WHEN 1 THEN \(RecoveryCodes.hash(code, key: secretKey.legacyRecoveryCodeKey))
                                ELSE \(RecoveryCodes.hash(code, key: recoveryCodeKey)) END
            """)
        return changed == 1
    }
}
