import HTTP
import Templates

/// An error that knows its status and what to tell the person. Anything else thrown by a handler is a 500
/// with a logged reference and a calm page.
struct PortalError: Error, Sendable {
    let status: Int
    let title: String
    let message: String

    static let notFound = PortalError(status: 404, title: "Page not found",
                                      message: "There is no page at this address. Check the link, or go back to your profile.")
    static let csrfRefused = PortalError(status: 403, title: "This form has expired",
                                         message: "For your security the form could not be accepted. Go back, reload the page and try again.")
    static let crossSite = PortalError(status: 403, title: "Request from another site refused",
                                       message: "This request came from another site, not from the console's own pages, so it was refused and nothing was changed. To make a change, open the console and use its pages.")
    static let ssoOnly = PortalError(status: 403, title: "Password sign-in is turned off",
                                     message: "Your organization requires single sign-on. Manage your password through your company's identity provider.")

    static func badRequest(_ message: String) -> PortalError {
        PortalError(status: 400, title: "Bad request", message: message)
    }

    var response: Response {
        .html(ErrorView.render(ErrorPage(status: status, title: title, message: message)), status: status)
    }
}

extension HTTPError {
    /// A request the HTTP layer could not decode, as the person sees it.
    var portalError: PortalError {
        PortalError(status: status, title: status == 413 ? "Request too large" : "Bad request", message: message)
    }
}

extension Response {
    /// A page from the templates: its UTF-8 bytes are the body as they are (no detour through `String`).
    static func html(_ page: HTML, status: Int = 200) -> Response {
        .html(utf8: page.bytes, status: status)
    }
}
