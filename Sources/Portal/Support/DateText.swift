import Foundation

/// Times as the pages write them, in the console machine's time zone (the console runs on the
/// customer's own computer): "22 Nov 2026", "22 Nov 2026, 14:05".
enum DateText {
    static func day(_ time: Int64) -> String {
        format(time, "d MMM yyyy")
    }

    static func dayAndTime(_ time: Int64) -> String {
        format(time, "d MMM yyyy, HH:mm")
    }

    private static func format(_ time: Int64, _ pattern: String) -> String {
        // DateFormatter is not thread-safe to share; one per call is cheap next to a page render.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = pattern
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }
}
