import Dates
import Foundation

/// Times as the pages write them, in the console machine's time zone (the console runs on the
/// customer's own computer): "22 Nov 2026", "22 Nov 2026, 14:05".
///
/// Written out by hand rather than with a `DateFormatter`: the Security tab shows a dozen times, and
/// ICU's formatter spent a seventh of that page's time on them. The time zone's offset at that moment
/// comes from `TimeZone` (so summer time is right), the calendar arithmetic is ``CivilDate``'s (shared
/// with the mail's Date header), and the month names are English, as `en_GB` writes them.
enum DateText {
    static func day(_ time: Int64, in zone: TimeZone = .current) -> String {
        let date = civil(time, zone)
        return "\(date.day) \(CivilDate.monthAbbreviations[date.month - 1]) \(date.year)"
    }

    static func dayAndTime(_ time: Int64, in zone: TimeZone = .current) -> String {
        let date = civil(time, zone)
        return "\(date.day) \(CivilDate.monthAbbreviations[date.month - 1]) \(date.year), \(CivilDate.twoDigits(date.hour)):\(CivilDate.twoDigits(date.minute))"
    }

    /// ("22 Nov 2026", "14:05"): the day and the time of day apart, for a list that sets one above the other.
    static func dayAndTimeOfDay(_ time: Int64, in zone: TimeZone = .current) -> (day: String, time: String) {
        let date = civil(time, zone)
        return ("\(date.day) \(CivilDate.monthAbbreviations[date.month - 1]) \(date.year)",
                "\(CivilDate.twoDigits(date.hour)):\(CivilDate.twoDigits(date.minute))")
    }

    /// The local date and time of `time` (seconds since 1970 UTC) in `zone`.
    private static func civil(_ time: Int64, _ zone: TimeZone) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        let local = time + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(time))))
        let (days, secondOfDay) = CivilDate.split(secondsSinceEpoch: local)
        let (year, month, day) = CivilDate.from(daysSinceEpoch: days)
        return (year, month, day, secondOfDay / 3_600, secondOfDay % 3_600 / 60)
    }
}
