import HTTP

/// A change the account's rules do not allow, refused by the service that would make it; nothing is
/// changed. It renders itself (403 with the reason), so a handler needs no check of its own.
enum PolicyRefusal: HTTPResponseError, Equatable {
    /// The client signs in through single sign-on only: there is no password here to change.
    case singleSignOnOnly
    /// An administrator is viewing the account, and only its owner may do this.
    case onlyTheCustomer(what: String, because: String)

    var status: Int { 403 }

    var title: String {
        switch self {
        case .singleSignOnOnly: "Password sign-in is turned off"
        case .onlyTheCustomer: "Not available while an administrator views this account"
        }
    }

    var message: String {
        switch self {
        case .singleSignOnOnly:
            "Your organization requires single sign-on. Manage your password through your company's identity provider."
        case .onlyTheCustomer(let what, let because):
            "\(what) \(because), so only the customer can do it. End the session and ask the customer."
        }
    }

    static let lastingAccess = "would give lasting access to the customer's account"
}

extension Actor {
    /// Refuses, while an administrator views the account, what only its owner may do: what would give
    /// the administrator lasting access (by default), or what proves who the customer is.
    func mustBeTheCustomer(_ what: String, because: String = PolicyRefusal.lastingAccess) throws {
        if isAdministratorViewing { throw PolicyRefusal.onlyTheCustomer(what: what, because: because) }
    }
}
