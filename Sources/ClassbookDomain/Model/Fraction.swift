/// An exact rational number: what an average or a share is before it is printed.
///
/// Figures a school prints (averages, percentages, lessons per student) are computed exactly
/// and rounded once, half up, by `NumberText.decimal`: binary floating point printed 56.25 % as
/// «56,2%» (`%.1f` rounds the exact binary value half to even) and could print 1.005 as 1.00.
/// Rationals rather than Foundation's `Decimal`: a `Decimal` division and rounding cost about
/// 5 µs here against 0.1 µs, and `/marks` prints an average for every subject.
public struct Fraction: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Carries the sign; `denominator` is positive and the two share no factor.
    public let numerator: Int64
    public let denominator: Int64

    public init(_ numerator: Int64, _ denominator: Int64) {
        precondition(denominator != 0, "a fraction with a zero denominator")
        let divisor = Self.gcd(numerator.magnitude, denominator.magnitude)
        let sign: Int64 = denominator < 0 ? -1 : 1
        self.numerator = sign * numerator / Int64(divisor)
        self.denominator = sign * denominator / Int64(divisor)
    }

    public init(_ value: Int) { self.init(Int64(value), 1) }

    /// A decimal setting (a weight of 1.5, a threshold of 3.0) to the thousandth, exactly as written.
    public init(thousandths value: Double) { self.init(Int64((value * 1000).rounded()), 1000) }

    /// `part / whole`; nil when `whole` is 0.
    public static func ratio(_ part: Int, _ whole: Int) -> Fraction? {
        whole == 0 ? nil : Fraction(Int64(part), Int64(whole))
    }

    /// The mean of whole numbers (marks); nil for none.
    public static func mean(_ values: [Int]) -> Fraction? {
        ratio(values.reduce(0, +), values.count)
    }

    /// The mean of fractions (averages of averages); nil for none. Summed over the least common
    /// denominator in 128 bits; should even that overflow (thousands of different denominators),
    /// or the result not fit 64 bits, the mean is taken to the nearest 10^-12, far below what is printed.
    public static func mean(_ values: [Fraction]) -> Fraction? {
        guard !values.isEmpty else { return nil }
        var numerator: Int128 = 0
        var denominator: Int128 = 1
        for value in values {
            let d = Int128(value.denominator)
            let common = denominator / Int128(gcd128(denominator, d)) * d
            let (scaledSum, o1) = numerator.multipliedReportingOverflow(by: common / denominator)
            let (scaledValue, o2) = Int128(value.numerator).multipliedReportingOverflow(by: common / d)
            let (sum, o3) = scaledSum.addingReportingOverflow(scaledValue)
            if o1 || o2 || o3 {
                return approximateMean(values)
            }
            numerator = sum
            denominator = common
            let divisor = gcd128(numerator, denominator)
            if divisor > 1 {
                numerator /= Int128(divisor)
                denominator /= Int128(divisor)
            }
        }
        denominator *= Int128(values.count)
        let divisor = gcd128(numerator, denominator)
        numerator /= Int128(divisor)
        denominator /= Int128(divisor)
        guard let n = Int64(exactly: numerator), let d = Int64(exactly: denominator) else {
            return approximateMean(values)
        }
        return Fraction(n, d)
    }

    /// The mean to the nearest 10^-12: each value rounded half up to 12 places (so the error of
    /// the mean stays under 10^-12), summed in 128 bits.
    private static func approximateMean(_ values: [Fraction]) -> Fraction {
        let scale: Int128 = 1_000_000_000_000
        var sum: Int128 = 0
        for value in values { sum += value.scaled(by: scale) }
        let denominator = scale * Int128(values.count)
        let divisor = gcd128(sum, denominator)
        return Fraction(Int64(sum / Int128(divisor)), Int64(denominator / Int128(divisor)))
    }

    /// `self × scale`, rounded half away from zero to a whole number.
    func scaled(by scale: Int128) -> Int128 {
        let n = Int128(numerator) * scale
        let d = Int128(denominator)
        let rounded = (2 * n.magnitude + d.magnitude) / (2 * d.magnitude)
        return n < 0 ? -Int128(rounded) : Int128(rounded)
    }

    /// The value to `places` decimals as a whole number of units (`4.125` to 2 places: 413),
    /// half away from zero — as a teacher rounds by hand.
    public func rounded(places: Int) -> Int64 {
        var scale: Int128 = 1
        for _ in 0..<places { scale *= 10 }
        return Int64(scaled(by: scale))
    }

    public var doubleValue: Double { Double(numerator) / Double(denominator) }

    public static func < (a: Fraction, b: Fraction) -> Bool {
        Int128(a.numerator) * Int128(b.denominator) < Int128(b.numerator) * Int128(a.denominator)
    }

    public static func - (a: Fraction, b: Fraction) -> Fraction {
        Fraction(a.numerator * b.denominator - b.numerator * a.denominator, a.denominator * b.denominator)
    }

    public static prefix func - (a: Fraction) -> Fraction { Fraction(-a.numerator, a.denominator) }

    public var description: String { "\(numerator)/\(denominator)" }

    private static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return max(a, 1)
    }

    private static func gcd128(_ a: Int128, _ b: Int128) -> UInt128 {
        var (a, b) = (a.magnitude, b.magnitude)
        while b != 0 { (a, b) = (b, a % b) }
        return max(a, 1)
    }
}
