// libFuzzer entry point for the project's parsers, built by scripts/fuzz with
// `swiftc -sanitize=fuzzer,address` together with the parsers' own source files (they import nothing
// of the project, so they compile into this one module). FUZZ_TARGET picks the parser.
import Foundation

let target = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "form"

struct FinishBody: Decodable {
    let credential: [String: String]?
    let name: String?
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    switch target {
    case "form":
        if let parameters = try? Parameters.parseURLEncoded(bytes) {
            // The same bytes give the same pairs.
            precondition((try? Parameters.parseURLEncoded(bytes))?.pairs.map(\.name) == parameters.pairs.map(\.name))
        }
    case "query", "target":
        _ = try? RequestTarget(parsing: text)
    case "cookie":
        for (name, value) in Cookies.parse([text]) { precondition(!name.isEmpty && !name.contains(";") && !value.contains(";")) }
    case "json":
        _ = try? JSONDecoder().decode(FinishBody.self, from: Data(bytes))
    case "cbor":
        if let item = try? CBOR.decode(bytes) { _ = String(describing: item) }
    case "base32":
        if let decoded = Base32.decode(text) {
            precondition(Base32.decode(Base32.encode(decoded)) == decoded, "base32 round trip")
        }
    case "router":
        var router = Router<Int>()
        router.add("GET", "/portal/profile", 1)
        router.add("GET", "/admin/users/{id}", 2)
        router.add("POST", "/portal/profile/security/passkeys/{id}/delete", 3)
        if case .found(_, let parameters) = router.match(method: "GET", path: text) {
            precondition(parameters.values.allSatisfy { !$0.isEmpty && !$0.contains("/") })
        }
    default:
        fatalError("unknown FUZZ_TARGET \(target)")
    }
    return 0
}
