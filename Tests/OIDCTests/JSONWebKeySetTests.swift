import Testing
@testable import OIDC

/// Reading a provider's key set and choosing the key for a token: the key decides the algorithm.
@Suite struct JSONWebKeySetTests {
    @Test("usable keys are kept and the others skipped: small RSA, use=enc, P-384, symmetric")
    func skipping() throws {
        let keys = try Fixtures.keys()
        #expect(keys.keys.map(\.id) == ["rsa-1", "rsa-ps", "ec-1"])
        #expect(keys.keys.map(\.keyType) == ["RSA", "RSA", "EC"])
        #expect(keys.keys.map(\.algorithm) == [nil, "PS256", "ES256"])
        #expect(keys.keys.allSatisfy { $0.keyType == "EC" || $0.bits >= 2048 })
        let small = oidcError { () throws(OIDCError) in try keys.key(id: "rsa-small", algorithm: "RS256") }
        #expect(small?.reason == .unknownKey && small?.detail.contains("1024 bits") == true)
        let encryption = oidcError { () throws(OIDCError) in try keys.key(id: "enc-1", algorithm: "RS256") }
        #expect(encryption?.reason == .unknownKey && encryption?.detail.contains("use") == true)
    }

    @Test("a set with nothing usable, no keys array or not JSON is refused as jwksFailed")
    func unusableSets() {
        for json in [#"{"keys":[]}"#, #"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#, #"{"keys":[{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"}]}"#,
                     #"{"kys":[]}"#, #"{"keys":{}}"#, "[]", "not json", #"{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}"#] {
            #expect(oidcError { () throws(OIDCError) in try JSONWebKeySet(json: Array(json.utf8)) }?.reason == .jwksFailed, "\(json)")
        }
    }

    @Test("a key with use other than sig, key_ops without verify, or a malformed kid or alg is skipped")
    func useAndOperations() throws {
        let keys = try Fixtures.keys()
        let good = try keys.key(id: "rsa-1", algorithm: "RS256")
        #expect(good.id == "rsa-1")
        // Rebuild rsa-1's public parameters with each variant.
        let members = try #require(JSONValue.parse(Fixtures.keySetJSON())?.objectValue?["keys"])
        guard case .array(let list) = members, case .object(let rsa1)? = list.first else { Issue.record("no rsa-1"); return }
        func set(_ changes: [String: JSONValue], plus other: Bool = true) -> [UInt8] {
            var key = rsa1
            for (name, value) in changes { key[name] = value }
            let ec = list[2]
            return Array(render(.object(["keys": .array(other ? [.object(key), ec] : [.object(key)])])).utf8)
        }
        for (change, expected) in [(["use": JSONValue.string("enc")], false), (["use": .string("sig")], true), (["use": .integer(1)], false),
                                   (["key_ops": .array([.string("encrypt")])], false), (["key_ops": .array([.string("verify")])], true),
                                   (["kid": .integer(1)], false), (["alg": .array([])], false), (["alg": .string("RS256")], true)] {
            let parsed = try JSONWebKeySet(json: set(change))
            #expect(parsed.keys.contains { $0.keyType == "RSA" } == expected, "\(change)")
        }
    }

    @Test("the key decides: RSA only for RS256/PS256, P-256 only for ES256, a pinned alg only for itself")
    func keyDecides() throws {
        let keys = try Fixtures.keys()
        #expect(try keys.key(id: "rsa-1", algorithm: "RS256").id == "rsa-1")
        #expect(try keys.key(id: "rsa-1", algorithm: "PS256").id == "rsa-1")
        #expect(try keys.key(id: "ec-1", algorithm: "ES256").id == "ec-1")
        #expect(oidcError { () throws(OIDCError) in try keys.key(id: "ec-1", algorithm: "RS256") }?.reason == .keyTypeMismatch)
        #expect(oidcError { () throws(OIDCError) in try keys.key(id: "rsa-1", algorithm: "ES256") }?.reason == .keyTypeMismatch)
        #expect(oidcError { () throws(OIDCError) in try keys.key(id: "rsa-ps", algorithm: "RS256") }?.reason == .keyTypeMismatch)
        for algorithm in ["none", "HS256", "HS512", "RS384", "ES384", "EdDSA", "rs256", ""] {
            #expect(oidcError { () throws(OIDCError) in try keys.key(id: "rsa-1", algorithm: algorithm) }?.reason == .algorithmNotAllowed)
        }
    }

    @Test("without a kid the only key of the matching type is taken; none or several is unknownKey")
    func withoutKid() throws {
        let keys = try Fixtures.keys()
        #expect(try keys.key(id: nil, algorithm: "RS256").id == "rsa-1", "rsa-ps is pinned to PS256")
        #expect(try keys.key(id: nil, algorithm: "ES256").id == "ec-1")
        #expect(oidcError { () throws(OIDCError) in try keys.key(id: nil, algorithm: "PS256") }?.reason == .unknownKey)
        let rsaOnly = try JSONWebKeySet(json: Array(#"{"keys":[\#(rsaJWK(of: keys))]}"#.utf8))
        #expect(oidcError { () throws(OIDCError) in try rsaOnly.key(id: nil, algorithm: "ES256") }?.reason == .unknownKey)
    }

    /// rsa-1 of the fixture as a JWK text.
    func rsaJWK(of keys: JSONWebKeySet) -> String {
        guard case .array(let list)? = JSONValue.parse(Fixtures.keySetJSON())?.objectValue?["keys"] else { return "" }
        return render(list[0])
    }
}

/// A JSON text for a value (test helper; the library only reads JSON).
func render(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let flag): flag ? "true" : "false"
    case .integer(let number): String(number)
    case .number(let number): String(number)
    case .string(let text): "\"" + text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
    case .array(let elements): "[" + elements.map(render).joined(separator: ",") + "]"
    case .object(let members): "{" + members.sorted { $0.key < $1.key }.map { render(.string($0.key)) + ":" + render($0.value) }.joined(separator: ",") + "}"
    }
}
