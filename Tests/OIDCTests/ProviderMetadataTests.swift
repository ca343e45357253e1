import Testing
@testable import OIDC

/// The discovery document is checked before anything is sent to the provider.
@Suite struct ProviderMetadataTests {
    let issuer = "https://idp.example.test"

    func document(_ changes: [String: JSONValue?] = [:]) -> [UInt8] {
        var members: [String: JSONValue] = [
            "issuer": .string(issuer),
            "authorization_endpoint": .string(issuer + "/authorize"),
            "token_endpoint": .string(issuer + "/token"),
            "jwks_uri": .string(issuer + "/jwks"),
        ]
        for (name, value) in changes { members[name] = value }
        return Array(render(.object(members)).utf8)
    }

    func reason(_ json: [UInt8], configured: String? = nil, tenant: String? = nil) -> OIDCError.Reason? {
        oidcError { () throws(OIDCError) in try ProviderMetadata(json: json, configuredIssuer: configured ?? issuer, tenantID: tenant) }?.reason
    }

    @Test("a minimal document reads with RFC 8414's default client authentication and no PKCE methods listed")
    func minimal() throws {
        let metadata = try ProviderMetadata(json: document(), configuredIssuer: issuer, tenantID: nil)
        #expect(metadata.tokenEndpointAuthMethods == ["client_secret_basic"])
        #expect(metadata.codeChallengeMethods.isEmpty && metadata.userinfoEndpoint == nil && metadata.endSessionEndpoint == nil)
        #expect(metadata.expectedIssuer(tenantID: nil) == issuer && metadata.expectedIssuer(tenantID: "t") == issuer)
        let full = try Fixtures.metadata()
        #expect(full.endSessionEndpoint == issuer + "/logout" && full.userinfoEndpoint == issuer + "/userinfo")
        #expect(full.codeChallengeMethods == ["S256"] && full.tokenEndpointAuthMethods == ["client_secret_basic", "client_secret_post"])
    }

    @Test("the document's issuer must equal the configured one exactly: no trailing slash, case or prefix games")
    func exactIssuer() {
        for configured in [issuer + "/", "https://IDP.example.test", "https://idp.example.test/tenant", "http://idp.example.test", "https://idp.example"] {
            #expect(reason(document(), configured: configured) == .issuerMismatch, "\(configured)")
        }
        #expect(reason(document(["issuer": .string("https://attacker.example")])) == .issuerMismatch)
        #expect(reason(document(["issuer": .string(issuer + "/other")]), tenant: "t") == .issuerMismatch,
                "a configured tenant excuses only Entra's template, not any other issuer")
        #expect(reason(document(), tenant: "9188040d-6c67-4c5b-b112-36a304b66dad") == nil)
    }

    @Test("Entra's {tenantid} template is accepted only with a tenant configured, on the configured issuer's host")
    func entraTemplate() throws {
        let entra = Fixtures.discoveryJSON("entra")
        let authority = Fixtures.shared.issuers["entra"]!
        let metadata = try ProviderMetadata(json: entra, configuredIssuer: authority, tenantID: Fixtures.shared.tenant)
        #expect(metadata.issuer == "https://login.microsoftonline.com/{tenantid}/v2.0")
        #expect(metadata.expectedIssuer(tenantID: Fixtures.shared.tenant) == "https://login.microsoftonline.com/\(Fixtures.shared.tenant)/v2.0")
        #expect(metadata.tokenEndpointAuthMethods == ["client_secret_post", "private_key_jwt"])
        #expect(reason(entra, configured: authority) == .issuerMismatch, "no tenant configured")
        #expect(reason(entra, configured: "https://login.example.net/organizations/v2.0", tenant: Fixtures.shared.tenant) == .issuerMismatch)
        #expect(reason(entra, configured: authority, tenant: "x/../evil") == .issuerMismatch)
        #expect(reason(document(["issuer": .string(issuer + "/{tenantid}")]), configured: issuer + "/common", tenant: "t") == nil)
    }

    @Test("endpoints must be https (plain http only to loopback), without user information or fragment")
    func endpoints() throws {
        for url in ["http://idp.example.test/token", "ftp://idp.example.test/token", "//idp.example.test/token", "/token",
                    "https://user:pw@idp.example.test/token", "https://idp.example.test/token#x", "https:///token",
                    "https://idp.example.test/to ken", "javascript:alert(1)", "http://127.0.0.1.attacker.example/token"] {
            #expect(reason(document(["token_endpoint": .string(url)])) == .metadataInvalid, "\(url)")
        }
        for url in ["http://127.0.0.1:8080/token", "http://localhost/token", "http://[::1]:9/token", "https://idp.example.test/keys?appid=x"] {
            #expect(reason(document(["token_endpoint": .string(url)])) == nil, "\(url)")
        }
        let local = "http://127.0.0.1:9000/o"
        let localDocument = Array(render(.object(["issuer": .string(local), "authorization_endpoint": .string(local + "/authorize/"),
                                                  "token_endpoint": .string(local + "/token/"), "jwks_uri": .string(local + "/.well-known/jwks.json")])).utf8)
        #expect(try ProviderMetadata(json: localDocument, configuredIssuer: local, tenantID: nil).jwksURI == local + "/.well-known/jwks.json")
        #expect(reason(document(["issuer": .string("http://idp.example.test")]), configured: "http://idp.example.test") == .metadataInvalid)
    }

    @Test("missing or mistyped members, no code flow, PKCE without S256, or no usable client authentication are refused")
    func shape() {
        #expect(reason(document(["jwks_uri": nil])) == .metadataInvalid)
        #expect(reason(document(["authorization_endpoint": .integer(1)])) == .metadataInvalid)
        #expect(reason(document(["response_types_supported": .array([.string("id_token")])])) == .metadataInvalid)
        #expect(reason(document(["code_challenge_methods_supported": .array([.string("plain")])])) == .metadataInvalid)
        #expect(reason(document(["token_endpoint_auth_methods_supported": .array([.string("private_key_jwt")])])) == .metadataInvalid)
        #expect(reason(document(["token_endpoint_auth_methods_supported": .string("client_secret_basic")])) == .metadataInvalid)
        #expect(reason(Array("[]".utf8)) == .metadataInvalid)
        #expect(reason(Array(#"{"issuer":"https://idp.example.test","issuer":"https://idp.example.test"}"#.utf8)) == .metadataInvalid)
    }
}
