/// The `otpauth://` key URI that authenticator apps scan (Google Authenticator's Key Uri Format):
/// `otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER`. SHA-1, 6 digits and 30 seconds are the
/// defaults every app assumes, so they are left out (some apps mishandle the parameters even when default).
public enum KeyURI {
    public static func totp(secret: [UInt8], issuer: String, account: String) -> String {
        let label = escape(issuer) + ":" + escape(account)
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(escape(issuer))"
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters (so `:` `@` `&` `?` and spaces are escaped).
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        return out
    }
}
