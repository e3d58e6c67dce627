package import Foundation

/// Where the simulator gets the time from; tests inject a fixed one.
package protocol SimClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system clock.
package struct SystemSimClock: SimClock {
    /// Creates it.
    package init() {}
    package func now() -> Date { Date() }
}

extension Date {
    /// RFC 3339 in UTC with whole seconds, as Go's `time.Time` marshals
    /// after truncation.
    var rfc3339: String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: self)
    }
}
