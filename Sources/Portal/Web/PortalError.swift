import HTTP
import Templates

/// An error that knows its status and what to tell the person (and, for a refusal that passes, when to
/// try again). Anything else thrown by a handler is a 500 with a logged reference and a calm page.
struct PortalError: HTTPResponseError, Sendable {
    let status: Int
    let title: String
    let message: String
    var headers = HTTPHeaders()

    init(status: Int, title: String, message: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.title = title
        self.message = message
        self.headers = headers
    }

    static let notFound = PortalError(status: 404, title: "Page not found",
                                      message: "There is no page at this address. Check the link, or go back to your profile.")
    static let csrfRefused = PortalError(status: 403, title: "This form has expired",
                                         message: "For your security the form could not be accepted. Go back, reload the page and try again.")
    static let crossSite = PortalError(status: 403, title: "Request from another site refused",
                                       message: "This request came from another site, not from the console's own pages, so it was refused and nothing was changed. To make a change, open the console and use its pages.")

    static func badRequest(_ message: String) -> PortalError {
        PortalError(status: 400, title: "Bad request", message: message)
    }

    var response: Response { errorPage }
}

extension HTTPResponseError {
    /// The console's error page for this error, with its headers.
    var errorPage: Response { errorPage() }

    /// The same in a signed-in page's frame (`chrome`), leading on by `wayOn` (the default: the profile).
    func errorPage(chrome: Chrome? = nil, wayOn: (label: String, href: String)? = nil) -> Response {
        var page = ErrorPage(status: status, title: title, message: message)
        if let wayOn { page.wayOn = wayOn }
        return withHeaders(.html(ErrorView.render(page, chrome: chrome), status: status))
    }

    /// The refusal for a script (the passkey ceremonies' JSON shape), which shows `message` beside its button.
    var scriptRefusal: Response {
        withHeaders(.json(PasskeyHandlers.Outcome(ok: false, error: message), status: status))
    }

    private func withHeaders(_ response: Response) -> Response {
        var response = response
        for (name, value) in headers { response.headers.add(name, value) }
        return response
    }
}

extension Request {
    /// A script's request (a passkey ceremony's JSON), which expects JSON back rather than a page.
    var sendsJSON: Bool { headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true }
}

extension HTTPError {
    /// A request the HTTP layer could not decode, as the person sees it.
    var portalError: PortalError { PortalError(status: status, title: title, message: message) }
}

/// Every hashing turn stayed taken for the whole wait (a flood of sign-in attempts): say so rather than
/// queue without end.
extension PortalBusy: HTTPResponseError {
    var status: Int { 503 }
    var headers: HTTPHeaders { Self.retryAfter(1) }
    var message: String { "The console is busy checking passwords. Nothing was changed. Try again in a moment." }
}

extension Response {
    /// A page from the templates: its UTF-8 bytes are the body as they are (no detour through `String`).
    static func html(_ page: HTML, status: Int = 200) -> Response {
        .html(utf8: page.bytes, status: status)
    }
}
