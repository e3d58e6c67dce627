import Foundation

/// A size argument (`--memory`, `--disk`) as the server reads it (reference
/// §4.2): a number, decimals allowed, with an optional unit; a bare number
/// means GiB and every unit is binary (`GB` = `GiB`).
public struct ByteSize: Sendable, Hashable, CustomStringConvertible {
    /// The size in bytes.
    public let bytes: UInt64
    /// The text sent to the server.
    public let text: String

    /// 1 GiB.
    public static let gibibyte: UInt64 = 1 << 30

    /// Parses `text` (`8`, `8GB`, `2.5G`, `512MiB`, `1T`).
    ///
    /// - Throws: ``ControlError/Kind/invalidArgument``.
    public init(_ text: String) throws(ControlError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let numberEnd = trimmed.firstIndex(where: { !($0.isNumber || $0 == ".") }) ?? trimmed.endIndex
        let number = trimmed[..<numberEnd]
        let unit = trimmed[numberEnd...].trimmingCharacters(in: .whitespaces).lowercased()
        guard let value = Double(number), value.isFinite, value >= 0, let multiplier = Self.multipliers[unit] else {
            throw ControlError(
                .invalidArgument,
                "invalid size \(GoQuote.string(text)): use a number with an optional unit B, K, M, G or T (binary; a bare number is GiB)")
        }
        let bytes = value * Double(multiplier)
        guard bytes < 0x1p63 else {
            throw ControlError(.invalidArgument, "invalid size \(GoQuote.string(text)): too large")
        }
        self.bytes = UInt64(bytes)
        self.text = trimmed
    }

    /// A size of `gibibytes` GiB, sent as `<n>GB`.
    public init(gibibytes: Int) {
        bytes = UInt64(max(0, gibibytes)) * Self.gibibyte
        text = "\(max(0, gibibytes))GB"
    }

    public var description: String { text }

    /// Throws unless the size is at least `minimum` GiB, with the server's
    /// wording (`--memory must be at least 2 GB`).
    public func require(atLeastGiB minimum: UInt64, flag: String) throws(ControlError) {
        if bytes < minimum * Self.gibibyte {
            throw ControlError(.invalidArgument, "--\(flag) must be at least \(minimum) GB")
        }
    }

    private static let multipliers: [String: UInt64] = [
        "": 1 << 30, "b": 1,
        "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
        "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
        "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
        "t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40,
    ]
}
