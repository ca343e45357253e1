import Crypto
import Foundation
import Store

/// The key that encrypts TOTP secrets and keys the recovery-code hashes. It lives in a file beside the
/// database (mode 0600, made on first run), not in it: a copy of the database alone reveals no secret.
/// The database keeps a sealed check value, so a lost or swapped key file is reported at start instead
/// of surfacing later as codes that never match.
struct SecretKey: Sendable {
    let bytes: [UInt8]

    static let checkPlaintext = Array("clientone key check v1".utf8)

    /// The default place: `<database>.key`.
    static func defaultPath(forDatabase path: String) -> String { path + ".key" }

    /// Loads the key (creating it for a database that has never had one) and checks it against the database.
    static func open(path: String, _ db: Database) throws -> SecretKey {
        let check = try db.queryOne("SELECT value FROM settings WHERE key = 'key_check'")?.blob("value")
        let bytes: [UInt8]
        do {
            bytes = try KeyFile.loadOrCreate(at: path, create: check == nil)
        } catch {
            if check != nil, !FileManager.default.fileExists(atPath: path) {
                throw SecretKeyError.missing(path)
            }
            throw SecretKeyError.unusable(path, "\(error)")
        }
        if let check {
            guard (try? AESGCM.open(check, key: bytes, associatedData: Array("key_check".utf8))) == checkPlaintext else {
                throw SecretKeyError.mismatch(path)
            }
        } else {
            let sealed = try AESGCM.seal(checkPlaintext, key: bytes, associatedData: Array("key_check".utf8))
            try db.write { db in
                _ = try db.run("INSERT INTO settings (key, value) VALUES ('key_check', ?) ON CONFLICT(key) DO NOTHING", sealed)
            }
        }
        return SecretKey(bytes: bytes)
    }

    /// A sub-key for one purpose, so the encryption key is never used as an HMAC key too.
    func derived(_ purpose: String) -> [UInt8] {
        HMAC.code(.sha256, key: bytes, message: Array(("clientone:" + purpose).utf8))
    }
}

/// Why the key file cannot be used; each says what to do.
public enum SecretKeyError: Error, CustomStringConvertible {
    case missing(String)
    case mismatch(String)
    case unusable(String, String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "the key file \(path) is missing, but this database has secrets encrypted with it: restore the file from your backup (authenticator-app secrets cannot be read without it), or pass --key-file with its location"
        case .mismatch(let path):
            return "the key file \(path) does not belong to this database: restore the right file from your backup, or pass --key-file with its location"
        case .unusable(let path, let reason):
            return "cannot use the key file \(path): \(reason)"
        }
    }
}
