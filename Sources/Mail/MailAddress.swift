/// An email address with an optional display name. Both are checked here, once, so nothing later can
/// carry a line break into a header or an SMTP command: a `MailAddress` that exists is safe to write.
public struct MailAddress: Sendable, Equatable {
    /// The bare address (`local@domain`), as it goes into `MAIL FROM:<…>` and `RCPT TO:<…>`.
    public let address: String
    /// The name shown beside the address; nil when there is none (an empty name counts as none).
    public let displayName: String?

    /// Accepts a dot-atom local part and a host-name domain (RFC 5322 §3.4.1, RFC 5321 §4.1.2), in
    /// ASCII: the client does not offer SMTPUTF8 (RFC 6531), so a server could not take anything else.
    /// Quoted local parts and address literals are refused; no real recipient of this console needs
    /// them, and each one is a way to hide `<`, `>` or a line break.
    public init(_ address: String, displayName: String? = nil) throws(MailError) {
        try Self.validate(address)
        if let displayName { try HeaderText.validate(displayName, field: "display name") }
        self.address = address
        self.displayName = displayName?.isEmpty == true ? nil : displayName
    }

    /// The header form: `addr@host` alone, or `phrase <addr@host>` (RFC 5322 §3.4 name-addr).
    var headerValue: String {
        guard let displayName else { return address }
        return HeaderText.phrase(displayName) + " <" + address + ">"
    }

    /// RFC 5321 §4.5.3.1: a local part of at most 64 octets, a domain of at most 255, and a path
    /// (`<` address `>`) of at most 256, so at most 254 for the address itself.
    private static let maximumLocalPart = 64
    private static let maximumDomain = 255
    private static let maximumAddress = 254

    /// The characters RFC 5322 §3.2.3 allows in an atom (`atext`) besides letters and digits.
    private static let atomSymbols = Set("!#$%&'*+-/=?^_`{|}~".utf8)

    private static func validate(_ address: String) throws(MailError) {
        let shown = address.debugDescription
        let bytes = Array(address.utf8)
        if bytes.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
            throw .invalidAddress("\(shown) contains a line break")
        }
        if bytes.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) {
            throw .invalidAddress("\(shown) contains < or >")
        }
        let parts = bytes.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .invalidAddress("\(shown) must contain exactly one @") }
        let local = parts[0], domain = parts[1]
        guard bytes.count <= maximumAddress, local.count <= maximumLocalPart, domain.count <= maximumDomain else {
            throw .invalidAddress("\(shown) is longer than RFC 5321 allows")
        }
        guard isDotAtom(local) else { throw .invalidAddress("\(shown) has an unsupported local part") }
        guard isHostName(domain) else { throw .invalidAddress("\(shown) has an invalid domain") }
    }

    /// dot-atom-text: atoms separated by single dots, none empty (so no leading, trailing or double dot).
    private static func isDotAtom(_ text: ArraySlice<UInt8>) -> Bool {
        let atoms = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return atoms.allSatisfy { atom in
            !atom.isEmpty && atom.allSatisfy { isAlphanumeric($0) || atomSymbols.contains($0) }
        }
    }

    /// Dot-separated labels of letters, digits and inner hyphens (RFC 5321 §4.1.2 `Domain`);
    /// international domains are given in their ASCII (xn--) form.
    static func isHostName(_ text: some BidirectionalCollection<UInt8>) -> Bool {
        guard !text.isEmpty, text.count <= maximumDomain else { return false }
        let labels = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != UInt8(ascii: "-")
                && label.last != UInt8(ascii: "-")
                && label.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
