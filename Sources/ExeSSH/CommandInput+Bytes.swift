public import Foundation

extension CommandInput {
    /// All the bytes this input would send (a stream is read to its end,
    /// and so consumed). For hosts that answer commands without a channel,
    /// such as test doubles.
    public func collectedBytes() async throws -> Data {
        switch source {
        case .none: return Data()
        case .data(let data): return data
        case .stream(let next):
            var bytes = Data()
            while let chunk = try await next() { bytes.append(chunk) }
            return bytes
        }
    }
}
