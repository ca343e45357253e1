import Foundation
import Testing
@testable import OIDC

/// The key sets, discovery documents and ID tokens `scripts/make-oidc-fixtures.py` made with jwcrypto
/// and pyca/cryptography, each token with the verdict the console must reach.
struct Fixtures: Decodable, Sendable {
    let generator: String
    let now: Int64
    let clientID: String
    /// The configured issuer per provider shape: "plain" (the document's issuer) and "entra" (the
    /// organizations authority whose document names the {tenantid} template).
    let issuers: [String: String]
    let tenant: String
    /// JSON texts, handed to the library byte for byte.
    let discovery: [String: String]
    let keySets: [String: String]
    let cases: [TokenCase]

    static let shared: Fixtures = {
        do {
            guard let url = Bundle.module.url(forResource: "oidc-tokens", withExtension: "json", subdirectory: "Fixtures") else {
                fatalError("Fixtures/oidc-tokens.json is missing from the test bundle; run scripts/make-oidc-fixtures.py")
            }
            return try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read Fixtures/oidc-tokens.json: \(error)")
        }
    }()

    static func token(_ name: String) -> TokenCase {
        guard let found = shared.cases.first(where: { $0.name == name }) else { fatalError("no token fixture \(name)") }
        return found
    }

    static func registration(_ provider: String = "plain", tenant: String? = nil) -> ClientRegistration {
        ClientRegistration(issuer: shared.issuers[provider]!, clientID: shared.clientID, clientSecret: "the-client-secret",
                           redirectURI: "https://console.example/login/sso/callback", tenantID: tenant)
    }

    static func discoveryJSON(_ provider: String = "plain") -> [UInt8] { Array(shared.discovery[provider]!.utf8) }
    static func keySetJSON(_ name: String = "main") -> [UInt8] { Array(shared.keySets[name]!.utf8) }

    static func metadata(_ provider: String = "plain", tenant: String? = nil) throws -> ProviderMetadata {
        try ProviderMetadata(json: discoveryJSON(provider), configuredIssuer: shared.issuers[provider]!, tenantID: tenant)
    }

    static func keys(_ name: String = "main") throws -> JSONWebKeySet { try JSONWebKeySet(json: keySetJSON(name)) }

    /// Verifies `token` as the case `context` describes (provider, tenant, keys, nonce) at the fixture's time.
    static func verify(_ token: String, like context: TokenCase, now: Int64? = nil) throws(OIDCError) -> IDToken {
        let metadata: ProviderMetadata
        let keys: JSONWebKeySet
        do {
            metadata = try Fixtures.metadata(context.provider, tenant: context.tenant)
            keys = try Fixtures.keys(context.keys)
        } catch {
            fatalError("fixture set-up failed: \(error)")
        }
        return try IDTokenVerifier.verify(token, keys: keys, metadata: metadata, registration: registration(context.provider, tenant: context.tenant),
                                          nonce: context.nonce, now: now ?? shared.now)
    }
}

/// One ID token and its verdict: "ok" or an `OIDCError.Reason` raw value.
struct TokenCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let token: String
    let expect: String
    let provider: String
    let keys: String
    let nonce: String
    let tenant: String?

    var testDescription: String { name }
}
