@testable import HTTP
import Testing

@Suite struct RequestMemoTests {
    static func post(_ body: String, type: String = "application/x-www-form-urlencoded") throws -> Request {
        try Request(method: "POST", target: "/login", headers: HTTPHeaders([("Content-Type", type)]), body: Array(body.utf8))
    }

    @Test("A request's form is decoded once: every copy of the request finds it decoded")
    func formDecodedOnce() throws {
        let request = try Self.post("email=jane%40example.com&password=x")
        let copy = request
        #expect(copy.memo.form == nil)
        #expect(try request.form()["email"] == "jane@example.com")
        #expect(copy.memo === request.memo)
        #expect(try copy.memo.form?.get()["password"] == "x", "the copy sees the decoded form without decoding again")
    }

    @Test("A form that does not decode keeps its refusal: the same error every time, decoded once")
    func refusalKept() throws {
        for request in [try Self.post("a=%zz"), try Self.post("a=1", type: "text/plain")] {
            let first = Result { () throws(HTTPError) in try request.form() }
            #expect(throws: HTTPError.self) { try request.form() }
            if case .failure(let error) = first, case .failure(let kept)? = request.memo.form {
                #expect(error == kept)
            } else {
                Issue.record("expected a kept refusal")
            }
        }
    }

    @Test("The application's note is shared by copies, so a route matched for the lane decision is not matched again")
    func applicationNote() throws {
        let request = try Self.post("")
        let copy = request
        request.memo.application = "matched"
        #expect(copy.memo.application as? String == "matched")
    }
}
