import Portal
import Testing
import TestSupport

/// Issue 15 item 14: in kiosk mode the recovery-codes page offers no download, which would leave the
/// codes on the shared computer's disk.
@Suite struct KioskRecoveryCodesTests {
    @Test("Kiosk: the recovery-codes page has Copy Codes and I've Saved These, but no Download .txt")
    func noDownloadInKiosk() throws {
        let console = try TestConsole { $0.kiosk = true }
        try console.seedNorthwind()
        let tab = try BrowserTab(try console.signedIn(), at: "/portal/profile/security")
        try console.enableUpToCodes(tab)
        #expect(tab.page.text.contains("I've Saved These"))
        #expect(tab.page.text.contains("Copy Codes"))
        #expect(!tab.page.text.contains("Download .txt"))
        #expect(!tab.page.text.contains("download="))
        #expect(!tab.page.text.contains("data:text/plain"), "the codes are not in a link the browser can save")

        try tab.submit("/portal/profile/security/recovery-codes/saved")
        try tab.submit("/portal/profile/security/recovery-codes/regenerate", [("password", TestConsole.password)])
        #expect(console.shownCodes(tab.page).count == 10, "regenerated codes")
        #expect(!tab.page.text.contains("Download .txt"))
        #expect(!tab.page.text.contains("data:text/plain"))
    }

    @Test("Outside kiosk mode the download stays")
    func downloadOutsideKiosk() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let tab = try BrowserTab(try console.signedIn(), at: "/portal/profile/security")
        try console.enableUpToCodes(tab)
        #expect(tab.page.text.contains("download=\"clientone-recovery-codes.txt\""))
        #expect(tab.page.text.contains("Download .txt"))
    }
}
