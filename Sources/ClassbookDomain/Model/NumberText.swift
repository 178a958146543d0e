/// Numbers as replies, reports and their PDFs print them, the same everywhere: an average as
/// `4,25`, a share as `56,3%`. Every decimal figure goes through `decimal(_:places:comma:)`,
/// which rounds an exact value (`Fraction`) half away from zero, as teachers round by hand:
/// 4,125 → 4,13; 56,25 % → 56,3 %. By hand: Foundation's `String(format:)` is slow on Linux,
/// and a reply prints one figure for every subject.
public enum NumberText {
    /// `value` with `places` decimals, rounded half away from zero, with a comma or a point.
    public static func decimal(_ value: Fraction, places: Int, comma: Bool = true) -> String {
        let units = value.rounded(places: places)
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        let magnitude = units.magnitude
        let sign = units < 0 ? "-" : ""
        guard places > 0 else { return "\(sign)\(magnitude)" }
        let fraction = String(magnitude % UInt64(scale))
        let padded = String(repeating: "0", count: places - fraction.count) + fraction
        return "\(sign)\(magnitude / UInt64(scale))\(comma ? "," : ".")\(padded)"
    }

    /// An average: two decimals.
    public static func twoDecimals(_ value: Fraction, comma: Bool = true) -> String {
        decimal(value, places: 2, comma: comma)
    }

    /// `part` of `whole` as a percentage to one decimal (`56,3%`); `—` when `whole` is 0.
    public static func percent(_ part: Int, of whole: Int, comma: Bool = true) -> String {
        guard let share = Fraction.ratio(part * 100, whole) else { return "—" }
        return decimal(share, places: 1, comma: comma) + "%"
    }
}
