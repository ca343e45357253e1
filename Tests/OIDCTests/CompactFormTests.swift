import Crypto
import Testing
@testable import OIDC

/// The compact serialization is read strictly: three parts of unpadded base64url, a JSON-object
/// header, a size cap; anything else is malformedToken before any key is looked at.
@Suite struct CompactFormTests {
    let valid = Fixtures.token("an RS256 token signed by the key its kid names")

    func reason(_ token: String) -> OIDCError.Reason? {
        oidcError { () throws(OIDCError) in try Fixtures.verify(token, like: valid) }?.reason
    }

    var parts: [String] { valid.token.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }

    @Test("the valid token itself verifies")
    func control() { #expect(reason(valid.token) == nil) }

    @Test("two, four or five parts, or an empty part, are refused")
    func partCounts() {
        #expect(reason(parts[0] + "." + parts[1]) == .malformedToken)
        #expect(reason(valid.token + "." + parts[2]) == .malformedToken)
        #expect(reason(parts.joined(separator: ".") + ".a.b") == .malformedToken)
        #expect(reason(parts[0] + ".." + parts[2]) == .malformedToken)
        #expect(reason(parts[0] + "." + parts[1] + ".") == .badSignature)
    }

    @Test("base64 padding, the standard alphabet, whitespace and a trailing newline are refused")
    func strictBase64URL() {
        // A 256-byte signature is 342 characters of base64url, which padding would end with "==".
        #expect(parts[2].count == 342)
        #expect(reason(parts[0] + "." + parts[1] + "." + parts[2] + "==") == .malformedToken)
        let standard = parts[2].replacingAll("-", with: "+").replacingAll("_", with: "/")
        if standard != parts[2] { #expect(reason(parts[0] + "." + parts[1] + "." + standard) == .malformedToken) }
        #expect(reason(parts[0] + "." + parts[1] + "." + parts[2] + "\n") == .malformedToken)
        #expect(reason(" " + valid.token) == .malformedToken)
        #expect(reason(parts[0] + "." + parts[1] + "." + parts[2].prefix(100) + " " + parts[2].dropFirst(100)) == .malformedToken)
    }

    @Test("a header that is not a JSON object, or whose kid is not a string, is refused")
    func headerShape() {
        for header in ["[\"RS256\"]", "\"RS256\"", "{\"alg\":\"RS256\"", "{\"alg\":\"RS256\",\"alg\":\"none\"}"] {
            #expect(reason(Base64URL.encode(Array(header.utf8)) + "." + parts[1] + "." + parts[2]) == .malformedToken, "\(header)")
        }
        let numericKid = Base64URL.encode(Array("{\"alg\":\"RS256\",\"kid\":7}".utf8))
        #expect(reason(numericKid + "." + parts[1] + "." + parts[2]) == .malformedToken)
        let lowercaseNone = Base64URL.encode(Array("{\"alg\":\"None\"}".utf8))
        #expect(reason(lowercaseNone + "." + parts[1] + ".") == .algorithmNotAllowed)
    }

    @Test("a token above 16 KiB is refused before anything is decoded")
    func sizeCap() {
        let padding = String(repeating: "A", count: IDTokenVerifier.maximumTokenBytes)
        #expect(reason(parts[0] + "." + parts[1] + padding + "." + parts[2]) == .malformedToken)
        let error = oidcError { () throws(OIDCError) in try Fixtures.verify(parts[0] + "." + parts[1] + padding + "." + parts[2], like: valid) }
        #expect(error?.detail.contains("larger than") == true)
    }

    @Test("a JWE (five parts) is named as such")
    func encrypted() {
        let error = oidcError { () throws(OIDCError) in try Fixtures.verify("a.b.c.d.e", like: valid) }
        #expect(error?.reason == .malformedToken && error?.detail.contains("JWE") == true)
    }
}
