// Speed of the application itself: microseconds for the console to answer a signed-in customer's
// Profile tab (and Security tab) in process, without libmicrohttpd or a socket: session, account and
// preferences from SQLite, CSRF token, render, security headers. Three rounds of two seconds
// (scripts/bench-page).
//
// Usage: PageBench [seconds per round, default 2] [rounds, default 3] [target ...]
//        PageBench --count N [target ...]   exactly N requests of each target, untimed: for
//        `valgrind --tool=callgrind`, whose instruction counts do not depend on what else the machine does.
import Foundation
import HTTP
import Portal

var arguments = Array(CommandLine.arguments.dropFirst())
var count: Int?
if arguments.first == "--count", arguments.count > 1 {
    count = Int(arguments[1])
    arguments.removeFirst(2)
}
let seconds = count == nil ? Double(arguments.first ?? "2") ?? 2 : 0
let rounds = count == nil ? Int(arguments.dropFirst().first ?? "3") ?? 3 : 0
let requestedTargets = count == nil ? Array(arguments.dropFirst(2)) : arguments
let targets = requestedTargets.isEmpty ? ["/portal/profile", "/portal/profile/security"] : requestedTargets
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pagebench-\(getpid())").path
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }

var configuration = PortalConfiguration(databasePath: folder + "/bench.db", publicDirectory: folder)
configuration.passwordIterations = 1_000
let application = try buildApplication(configuration, accessLog: { _ in })
guard let signIns = try application.portal.seedDemo(), let jane = signIns.first else { fatalError("no demo data") }
let host = ("Host", "localhost:\(configuration.port)")

func cookies(_ response: Response) -> [String: String] {
    var found: [String: String] = [:]
    for (name, value) in response.headers where name == "Set-Cookie" {
        let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
        if pair.count == 2 { found[String(pair[0])] = String(pair[1]) }
    }
    return found
}

// Sign in as Jane the way a browser does: the form's CSRF token with the pre-session cookie, then the password.
let login = application.respond(try Request(method: "GET", target: "/login", headers: HTTPHeaders([host])))
let pre = cookies(login)["clientone_pre"] ?? ""
let page = String(decoding: login.body, as: UTF8.self)
guard let tokenRange = page.range(of: #"name="csrf_token" value="[^"]*""#, options: .regularExpression) else { fatalError("no token") }
let token = page[tokenRange].split(separator: "\"")[3]
let form = "csrf_token=\(token)&email=\(jane.email.replacingOccurrences(of: "@", with: "%40"))&password=\(jane.password)"
let signedIn = application.respond(try Request(
    method: "POST", target: "/login",
    headers: HTTPHeaders([host, ("Cookie", "clientone_pre=\(pre)"), ("Content-Type", "application/x-www-form-urlencoded")]),
    body: Array(form.utf8)))
guard let session = cookies(signedIn)["clientone_session"] else { fatalError("could not sign in: \(signedIn.status)") }

/// The measured loop, kept a function of its own so `valgrind --toggle-collect='*answerRepeatedly*'`
/// counts it and nothing else (not the set-up, not the sign-in's password hashing).
@inline(never)
func answerRepeatedly(_ request: Request, times: Int) -> Int {
    var bytes = 0
    for _ in 0..<times { bytes &+= application.respond(request).body.count }
    return bytes
}

let headers = HTTPHeaders([host, ("User-Agent", "wrk"), ("Cookie", "clientone_session=\(session)")])
for target in targets {
    let request = try Request(method: "GET", target: target, headers: headers)
    let first = application.respond(request)
    guard first.status == 200 else { fatalError("\(target): \(first.status)") }
    print("\(target): \(first.body.count) bytes")
    var bytes = 0
    if let count {
        bytes &+= answerRepeatedly(request, times: count)
        print("  \(count) requests answered")
    }
    for round in stride(from: 1, through: rounds, by: 1) {
        let start = ContinuousClock.now
        var answered = 0
        while ContinuousClock.now - start < .seconds(seconds) {
            bytes &+= answerRepeatedly(request, times: 100)
            answered += 100
        }
        let (whole, fraction) = (ContinuousClock.now - start).components
        let elapsed = Double(whole) + Double(fraction) / 1e18
        print("  round \(round): \(String(format: "%.2f", elapsed / Double(answered) * 1e6)) µs per request (\(answered) requests)")
    }
    if bytes == 0 { print("nothing answered") }
}
application.stop()
