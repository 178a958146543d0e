import CClassbookCrypto
import Foundation

/// Hashes and checks passwords with scrypt (memory-hard) and a per-password random salt.
///
/// A hash is stored as `$scrypt$ln=14,r=8,p=1$<salt>$<key>` (base64), so that the cost can be
/// raised later without invalidating old hashes. Hashing takes tens of milliseconds of CPU on
/// purpose: callers run it through a `BlockingExecutor`, never on an event loop.
public struct PasswordHasher: Sendable {
    public struct Cost: Sendable, Equatable {
        /// log2 of scrypt's N.
        public var logN: Int
        public var r: Int
        public var p: Int

        public init(logN: Int, r: Int, p: Int) {
            self.logN = logN
            self.r = r
            self.p = p
        }

        /// N = 2^14, r = 8, p = 1: 16 MiB of memory per hash.
        public static let standard = Cost(logN: 14, r: 8, p: 1)

        /// Bounds on what a stored hash may ask for, so that an edited database cannot make
        /// a login allocate gigabytes.
        fileprivate var isSane: Bool { (10...20).contains(logN) && (1...16).contains(r) && (1...4).contains(p) }
    }

    public static let keyBytes = 32
    public static let saltBytes = 16

    public let cost: Cost

    public init(cost: Cost = .standard) {
        self.cost = cost
    }

    public func hash(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: Self.saltBytes)
        guard cb_random_bytes(&salt, salt.count) == 1 else { throw CryptoError.randomBytesUnavailable }
        let key = try Self.derive(password, salt: salt, cost: cost)
        let encoded = (salt: Data(salt).base64EncodedString(), key: Data(key).base64EncodedString())
        return "$scrypt$ln=\(cost.logN),r=\(cost.r),p=\(cost.p)$\(encoded.salt)$\(encoded.key)"
    }

    /// True when `password` matches `encoded`. A malformed hash never matches.
    public func verify(_ password: String, against encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count == 4, parts[0] == "scrypt",
            let cost = Self.parseCost(parts[1]), cost.isSane,
            let salt = Data(base64Encoded: String(parts[2])),
            let expected = Data(base64Encoded: String(parts[3])), expected.count == Self.keyBytes,
            let derived = try? Self.derive(password, salt: Array(salt), cost: cost)
        else { return false }
        return expected.withUnsafeBytes { e in
            derived.withUnsafeBytes { d in
                cb_equal_constant_time(
                    e.bindMemory(to: UInt8.self).baseAddress, d.bindMemory(to: UInt8.self).baseAddress, Self.keyBytes)
                    == 1
            }
        }
    }

    /// A hash of a random password, checked against when a login does not exist, so that a
    /// missing login costs as much time as a wrong password.
    public func decoyHash() -> String {
        (try? hash(UUID().uuidString)) ?? "$scrypt$ln=\(cost.logN),r=\(cost.r),p=\(cost.p)$AAAA$AAAA"
    }

    private static func parseCost(_ text: Substring) -> Cost? {
        var values: [Substring: Int] = [:]
        for item in text.split(separator: ",") {
            let pair = item.split(separator: "=")
            guard pair.count == 2, let value = Int(pair[1]) else { return nil }
            values[pair[0]] = value
        }
        guard let logN = values["ln"], let r = values["r"], let p = values["p"] else { return nil }
        return Cost(logN: logN, r: r, p: p)
    }

    private static func derive(_ password: String, salt: [UInt8], cost: Cost) throws -> [UInt8] {
        var key = [UInt8](repeating: 0, count: keyBytes)
        let passwordBytes = Array(password.utf8)
        let ok = cb_scrypt(
            passwordBytes, passwordBytes.count, salt, salt.count,
            UInt64(1) << UInt64(cost.logN), UInt64(cost.r), UInt64(cost.p), &key, key.count)
        guard ok == 1 else { throw CryptoError.scryptFailed }
        return key
    }
}

public enum CryptoError: Error, Sendable {
    case randomBytesUnavailable
    case scryptFailed
}

/// SHA-256 and random bytes from libcrypto.
public enum Digest {
    public static func sha256Hex(_ text: String) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        let bytes = Array(text.utf8)
        _ = cb_sha256(bytes, bytes.count, &out)
        return hex(out)
    }

    /// Lowercase hex of `bytes`, two digits a byte (without `String(format:)`, which costs
    /// microseconds a byte and shows in profiles of every message and audit record).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func randomBytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard cb_random_bytes(&out, count) == 1 else { throw CryptoError.randomBytesUnavailable }
        return out
    }

    /// A message id (IRCv3 `msgid`, board posts): 16 random bytes, hex.
    public static func messageID() -> String {
        hex((try? randomBytes(16)) ?? Array(UUID().uuidString.utf8.prefix(16)))
    }
}

/// Runs CPU-heavy or blocking work (password hashing) away from event loops and the
/// cooperative thread pool. The server backs it with a dedicated thread pool.
public protocol BlockingExecutor: Sendable {
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T
}

/// Runs the work on a dedicated thread per call; for command-line tools and tests.
public struct DetachedThreadExecutor: BlockingExecutor {
    public init() {}

    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.start()
        }
    }
}
