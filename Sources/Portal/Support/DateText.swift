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

    /// DateFormatter is costly to make and not safe to share between threads, so each server thread
    /// keeps its own, one per pattern.
    private static func format(_ time: Int64, _ pattern: String) -> String {
        let key = "clientone.DateText." + pattern
        let formatter: DateFormatter
        if let kept = Thread.current.threadDictionary[key] as? DateFormatter {
            formatter = kept
        } else {
            formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_GB")
            formatter.timeZone = TimeZone.current
            formatter.dateFormat = pattern
            Thread.current.threadDictionary[key] = formatter
        }
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }
}
