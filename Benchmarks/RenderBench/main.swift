// Speed of the templates: microseconds to render the Profile tab of a signed-in customer, in three rounds
// of two seconds (scripts/bench-render). The page is what the load benchmark's Profile requests render.
import Foundation
import Templates

var chrome = Chrome(title: "Profile", account: AccountHeader(name: "Jane Doe", email: "jane.doe@northwind.example"),
                    csrfToken: "bXlDU1JGdG9rZW5mb3JiZW5jaG1hcmtpbmdwdXJwb3Nlcw", tab: .profile, idleTimeout: 900)
chrome.idleRemaining = 880
let page = ProfilePage(chrome: chrome, email: "jane.doe@northwind.example", company: "Northwind Traders", title: "Office Manager",
                       mobile: "+1 555 0100", form: .init(name: "Jane Doe", phone: "+1 555 0199"),
                       notifications: .init(inApp: true, ticketStatusEmail: true, ticketReplyEmail: false,
                                            overdueInvoiceEmail: true, billingEnabled: true))
let seconds = Double(CommandLine.arguments.dropFirst().first ?? "2") ?? 2
// Kept so the optimiser cannot drop the work.
var bytesRendered = 0
print("Profile tab page: \(ProfileView.render(page).bytes.count) bytes")
for round in 1...3 {
    let start = ContinuousClock.now
    var renders = 0
    while ContinuousClock.now - start < .seconds(seconds) {
        for _ in 0..<1000 { bytesRendered &+= ProfileView.render(page).bytes.count }
        renders += 1000
    }
    let (whole, fraction) = (ContinuousClock.now - start).components
    let elapsed = Double(whole) + Double(fraction) / 1e18
    print("round \(round): \(String(format: "%.2f", elapsed / Double(renders) * 1e6)) µs per render (\(renders) renders)")
}
if bytesRendered == 0 { print("nothing rendered") }
