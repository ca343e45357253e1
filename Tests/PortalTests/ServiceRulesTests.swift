import Foundation
@testable import Portal
import Store
import Testing
import TestSupport

/// The account rules, called on the services directly (no HTTP): a handler that forgot a check could
/// not get past them.
@Suite struct ServiceRulesTests {
    static func viewing(_ jane: CustomerUser) -> Actor {
        Actor(customerUserID: jane.id, staffID: 1, clientID: jane.clientID, ip: "127.0.0.1", isAdministratorViewing: true)
    }

    @Test("While an administrator views the account, the services refuse what only the customer may do, and change nothing")
    func viewingRefused() throws {
        let console = try TestConsole()
        let jane = try console.seedNorthwind()
        let portal = console.portal
        let actor = Self.viewing(jane)
        let refusals: [() throws -> Void] = [
            { _ = try portal.changePassword(customerID: jane.id, sessionID: 0, current: TestConsole.password, new: "a new passphrase",
                                            confirm: "a new passphrase", actor: actor) },
            { _ = try portal.disableAuthenticator(customerID: jane.id, password: TestConsole.password, actor: actor) },
            { _ = try portal.regenerateRecoveryCodes(customerID: jane.id, sessionID: 0, password: TestConsole.password, actor: actor) },
            { _ = try portal.revokeOtherSessions(customerID: jane.id, current: 0, actor: actor) },
            { _ = try portal.removePasskey(id: 1, owner: .customer(jane.id), actor: actor) },
            { _ = try portal.renamePasskey(id: 1, owner: .customer(jane.id), name: "x", actor: actor) },
        ]
        for refuse in refusals {
            #expect(throws: PolicyRefusal.self) { try refuse() }
        }
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).status == 303,
                "the password is unchanged")
        #expect(try console.count("SELECT count(*) AS n FROM login_throttle") == 0, "no guess was made on the customer's behalf")
    }

    @Test("An SSO-only client's password cannot be changed by the service, whatever the caller")
    func ssoOnlyPassword() throws {
        let console = try TestConsole()
        let jane = try console.seedNorthwind()
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(ssoOnly: true))
        let actor = Actor(customerUserID: jane.id, staffID: nil, clientID: jane.clientID, ip: "127.0.0.1")
        #expect(throws: PolicyRefusal.singleSignOnOnly) {
            _ = try console.portal.changePassword(customerID: jane.id, sessionID: 0, current: TestConsole.password,
                                                  new: "a new passphrase", confirm: "a new passphrase", actor: actor)
        }
    }

    @Test("The command line and the administrator's page change a client's settings the same way, with one audit format")
    func oneClientSettingsChange() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(portalEnabled: false, requireMFA: true))
        let clientID = Int64(try console.count("SELECT id AS n FROM clients"))
        let changes = try console.portal.updateClientSettings(clientID: clientID, settings: ClientSettings(portalEnabled: true, requireMFA: false),
                                                              actor: Actor(customerUserID: nil, staffID: 1, clientID: nil, ip: "127.0.0.1"))
        #expect(changes == ["portal on", "MFA required off"])
        let details = try console.portal.pool.read { db in
            try db.query("SELECT detail FROM audit_events WHERE kind = 'client_updated' AND client_id = ? ORDER BY id", clientID)
                .map { $0.string("detail") ?? "" }
        }
        #expect(details == ["portal off, MFA required on", "portal on, MFA required off"])
    }

    @Test("A change's confirmation is written with the change, to the session it came from")
    func confirmationWithTheChange() throws {
        let console = try TestConsole()
        let jane = try console.seedNorthwind()
        _ = try console.signedIn()
        let sessionID = Int64(try console.count("SELECT id AS n FROM sessions"))
        let actor = Actor(customerUserID: jane.id, staffID: nil, clientID: jane.clientID, ip: "127.0.0.1", sessionID: sessionID)
        _ = try console.portal.updateProfile(customerID: jane.id, name: "Jane Q. Doe", phone: "", actor: actor)
        #expect(try console.count("SELECT count(*) AS n FROM sessions WHERE id = ? AND flash = 'profile_saved'", sessionID) == 1)
        _ = try console.portal.updateProfile(customerID: jane.id, name: "Jane Doe", phone: "",
                                             actor: Actor(customerUserID: jane.id, staffID: nil, clientID: jane.clientID, ip: ""))
        #expect(try console.count("SELECT count(*) AS n FROM sessions WHERE flash = 'profile_saved'") == 1, "no session, no confirmation")
    }
}
