import HTTPClient

// The module's client and error under names of their own: the test files also import TestSupport, whose
// raw test client has an `HTTPClient` and an `HTTPClientError` too, and this file imports only the module
// under test.
typealias OutboundClient = HTTPClient
typealias OutboundError = HTTPClientError
