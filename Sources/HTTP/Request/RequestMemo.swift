import Threads

/// What a request keeps of the work done on it, so it is done once: its decoded form, and one value the
/// application notes (the route it matched when the server asked which lane the request goes to). A
/// request is handled by one thread at a time, but it passes from a connection thread to the slow lane,
/// so the fields are kept under a lock.
public final class RequestMemo: Sendable {
    private let state = Locked(State())

    private struct State {
        var form: Result<Parameters, HTTPError>?
        var application: (any Sendable)?
    }

    init() {}

    var form: Result<Parameters, HTTPError>? {
        get { state.withLock { $0.form } }
        set { state.withLock { $0.form = newValue } }
    }

    /// The application's note: anything it wants to find again when the request is answered.
    public var application: (any Sendable)? {
        get { state.withLock { $0.application } }
        set { state.withLock { $0.application = newValue } }
    }
}
