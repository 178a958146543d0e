/// Numbers as replies and reports print them, the same in both: an average as `4,25`.
public enum NumberText {
    /// Two decimals, half away from zero (4,125 → 4,13, as a teacher rounds), with a comma
    /// or a point. By hand: Foundation's `String(format:)` is slow on Linux, and a reply
    /// prints one for every subject.
    public static func twoDecimals(_ value: Double, comma: Bool = true) -> String {
        let hundredths = Int((abs(value) * 100).rounded())
        let fraction = hundredths % 100
        let sign = value < 0 && hundredths > 0 ? "-" : ""
        return "\(sign)\(hundredths / 100)\(comma ? "," : ".")\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
