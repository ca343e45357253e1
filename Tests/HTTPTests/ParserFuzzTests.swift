import Foundation
@testable import HTTP
import Testing
import TestSupport

/// Seeded random fuzzing of the request parsers: mutations of valid inputs and raw random bytes, each
/// for a fixed time budget. Every input must end in a value or a clear error (never a crash or a
/// hang), and what a parser accepts must follow its rules (valid UTF-8, no traversal in paths).
/// The seed is printed on failure so a run can be replayed.
@Suite struct ParserFuzzTests {
    static let budget: TimeInterval = 2
    static let interesting: [UInt8] = Array("%+&=;/.\\?#\0 \u{7F}".utf8) + [0x80, 0xC0, 0xC3, 0xE0, 0xED, 0xF0, 0xF4, 0xFF, 0x25, 0x32, 0x65]

    /// Runs `body` on mutated inputs until the budget is spent; returns how many ran.
    static func fuzz(seeds: [String], seed: UInt64, _ body: ([UInt8]) throws -> Void) rethrows -> Int {
        var random = SeededGenerator(seed: seed)
        let deadline = Date().addingTimeInterval(budget)
        var count = 0
        while Date() < deadline {
            var input = Array(seeds.randomElement(using: &random)!.utf8)
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                let position = input.isEmpty ? 0 : Int.random(in: 0...input.count, using: &random)
                switch Int.random(in: 0..<5, using: &random) {
                case 0: input.insert(interesting.randomElement(using: &random)!, at: position)
                case 1: if position < input.count { input[position] = UInt8.random(in: 0...255, using: &random) }
                case 2: if position < input.count { input.remove(at: position) }
                case 3: input.insert(contentsOf: input.prefix(Int.random(in: 0...16, using: &random)), at: position)
                default: input += (0..<Int.random(in: 0...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                }
            }
            try body(input)
            count += 1
        }
        return count
    }

    @Test("Form and query bodies: decoded values are valid UTF-8, or the input is refused with a 400")
    func forms() throws {
        let runs = try Self.fuzz(seeds: ["email=a%40b.example&password=x+y", "a=1&b=%E2%82%AC&c", "name=J%C3%A9r%C3%B4me&phone=+1"],
                                 seed: 1) { input in
            do {
                let parameters = try Parameters.parseURLEncoded(input)
                // Decoding is a function of the bytes: the same input, the same pairs.
                let again = try Parameters.parseURLEncoded(input)
                #expect(parameters.pairs.map(\.name) == again.pairs.map(\.name))
                #expect(parameters.pairs.count <= input.filter { $0 == UInt8(ascii: "&") }.count + 1)
            } catch let error as HTTPError {
                #expect(error.status == 400)
            }
        }
        #expect(runs > 1_000)
    }

    @Test("Request targets and static files: a path decodes or is refused, and no path reads outside Public/")
    func targets() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-static-\(UUID().uuidString)")
        let root = folder.appendingPathComponent("Public")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("css"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("body { color: red }".utf8).write(to: root.appendingPathComponent("css/app.css"))
        try Data("TOP-SECRET".utf8).write(to: folder.appendingPathComponent("secret.txt"))
        let statics = StaticFiles(root: root.path)
        let runs = Self.fuzz(seeds: ["/static/css/app.css", "/static/../secret.txt", "/static/css/%2e%2e/%2e%2e/secret.txt",
                                         "/static/css/..%2f..%2fsecret.txt", "/static//secret.txt"], seed: 2) { input in
            guard let target = String(bytes: input, encoding: .utf8), let request = try? Request(method: "GET", target: target) else { return }
            #expect(request.path.hasPrefix("/") || request.path.isEmpty)
            guard request.path.hasPrefix("/static/") else { return }
            if let response = statics.response(for: request, relativePath: String(request.path.dropFirst("/static/".count))) {
                #expect(!String(decoding: response.body, as: UTF8.self).contains("TOP-SECRET"), "read outside Public/ with \(target.debugDescription)")
            }
        }
        #expect(runs > 1_000)
    }

    @Test("Cookie headers: parsing never fails, and names and values are cookie octets")
    func cookies() throws {
        let runs = Self.fuzz(seeds: ["clientone_session=abc; clientone_pre=def", "a=\"quoted\"; b=; =c; d", "x=1;;y=2"], seed: 3) { input in
            let header = String(decoding: input, as: UTF8.self)
            for (name, value) in Cookies.parse([header]) {
                #expect(!name.isEmpty)
                #expect(!name.contains(";") && !value.contains(";"))
            }
        }
        #expect(runs > 1_000)
    }

    @Test("JSON bodies: decode or a 400, never a crash")
    func json() throws {
        struct Body: Decodable { let credential: [String: String]?; let name: String? }
        let runs = try Self.fuzz(seeds: [#"{"credential":{"id":"x"},"name":"Key"}"#, #"{"name":"\u00e9"}"#, "[]"], seed: 4) { input in
            let request = try Request(method: "POST", target: "/x", headers: HTTPHeaders([("Content-Type", "application/json")]), body: input)
            do { _ = try request.json(Body.self) } catch let error as HTTPError { #expect(error.status == 400) }
        }
        #expect(runs > 1_000)
    }

    @Test("The router: any path either matches a route with its parameters, or is not found")
    func router() throws {
        var router = Router<Int>()
        router.add("GET", "/portal/profile", 1)
        router.add("GET", "/admin/users/{id}", 2)
        router.add("POST", "/portal/profile/security/passkeys/{id}/delete", 3)
        let runs = Self.fuzz(seeds: ["/admin/users/42", "/portal/profile/security/passkeys/7/delete", "/portal/profile"], seed: 5) { input in
            let path = String(decoding: input, as: UTF8.self)
            switch router.match(method: "GET", path: path) {
            case .found(_, let parameters):
                #expect(parameters.values.allSatisfy { !$0.isEmpty && !$0.contains("/") })
            case .notFound, .methodNotAllowed:
                break
            }
        }
        #expect(runs > 1_000)
    }
}
