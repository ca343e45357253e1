/// Calendar arithmetic without a calendar object or a time-zone database: the mail's Date header, and
/// the dates the pages show (which add the local offset first). A target of its own, importing nothing,
/// so the mail and the pages share it without either depending on the other.
public enum CivilDate {
    /// English month abbreviations, January first, as RFC 5322 and the pages write them.
    public static let monthAbbreviations = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Whole days since 1970-01-01 and the second of that day (0–86,399), rounding towards the past.
    public static func split(secondsSinceEpoch seconds: Int64) -> (days: Int64, secondOfDay: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return (days, Int(seconds - days * 86_400))
    }

    /// "07", "12": hours, minutes, seconds and days as dates write them.
    public static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Proleptic Gregorian year, month (1–12) and day (1–31) of a day count from 1970-01-01, after
    /// Howard Hinnant's `civil_from_days` (eras of 400 years, years starting in March so the leap day
    /// comes last).
    public static func from(daysSinceEpoch: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}
