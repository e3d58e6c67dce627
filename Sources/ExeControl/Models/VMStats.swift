public import Foundation

/// The result of `stat` (reference §4.12): usage samples over a range.
public struct VMStats: Sendable, Hashable, Codable {
    /// One sample. The server sends about twenty numeric series (sizes in GB
    /// of 10^9 bytes, rates in Mbps); all of them are in ``metrics`` by their
    /// wire names, the common ones also as properties.
    public struct Point: Sendable, Hashable, Codable {
        /// When the sample was taken.
        public var timestamp: Date?
        /// Every numeric key of the sample, e.g. `cpu_cores`, `memory_used_gb`.
        public var metrics: [String: Double]

        /// CPU cores in use.
        public var cpuCores: Double? { metrics["cpu_cores"] }
        /// Memory in use, GB.
        public var memoryUsedGB: Double? { metrics["memory_used_gb"] }
        /// Disk in use, GB.
        public var diskUsedGB: Double? { metrics["disk_used_gb"] }
        /// Network received, Mbps.
        public var networkRxMbps: Double? { metrics["network_rx_mbps"] }
        /// Network sent, Mbps.
        public var networkTxMbps: Double? { metrics["network_tx_mbps"] }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyCodingKey.self)
            timestamp = container.lenientDate(AnyCodingKey("timestamp"))
            var metrics: [String: Double] = [:]
            for key in container.allKeys where key.stringValue != "timestamp" {
                if let value = container.lenient(Double.self, key) { metrics[key.stringValue] = value }
            }
            self.metrics = metrics
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            try container.encodeIfPresent(timestamp, forKey: AnyCodingKey("timestamp"))
            for (key, value) in metrics { try container.encode(value, forKey: AnyCodingKey(key)) }
        }
    }

    /// The VM.
    public var name: String
    /// Its state.
    public var status: VMStatus?
    /// The range, as the server echoes it.
    public var range: String?
    /// The samples, oldest first; empty when there is no data.
    public var points: [Point]

    enum CodingKeys: String, CodingKey { case name, status, range, points }
    private enum AlternateKeys: String, CodingKey { case vmName = "vm_name" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let alternate = try decoder.container(keyedBy: AlternateKeys.self)
        guard let name = container.lenientString(.name) ?? alternate.lenientString(.vmName) else {
            throw MissingKey(description: "stat without name")
        }
        self.name = name
        status = container.lenient(VMStatus.self, .status)
        range = container.lenientString(.range)
        points = container.lenientArray(Point.self, .points)
    }
}
