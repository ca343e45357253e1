import Foundation
import Testing
@testable import Portal
import TestSupport

/// The pages' dates, written by hand, against Foundation's formatter with the same pattern.
@Suite struct DateTextTests {
    static func reference(_ time: Int64, _ pattern: String, _ zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = zone
        formatter.dateFormat = pattern
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }

    @Test("Matches DateFormatter's d MMM yyyy[, HH:mm] in several zones, across summer-time changes, leap days and years",
          arguments: ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham"])
    func matchesFoundation(_ identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        var generator = SeededGenerator(seed: 20261201)
        // Random moments from 1900 to 2100, then the edges that break naive arithmetic.
        var times = (0..<3_000).map { _ in Int64.random(in: -2_208_988_800...4_102_444_800, using: &generator) }
        times += [0, -1, 86_399, 86_400, -86_400, 951_782_400 /* 2000-02-29 */, 951_868_799, 4_107_542_399 /* 2100-02-28 23:59:59 */,
                  1_774_746_000, 1_774_749_599, 1_774_749_600 /* 2026-03-29, summer time starts in Europe */, 1_792_890_000]
        for time in times {
            #expect(DateText.day(time, in: zone) == Self.reference(time, "d MMM yyyy", zone), "\(identifier) \(time)")
            #expect(DateText.dayAndTime(time, in: zone) == Self.reference(time, "d MMM yyyy, HH:mm", zone), "\(identifier) \(time)")
        }
    }
}
