/// exe.dev's regions as `region/region.go` lists them (`allRegions`, in
/// its order): code, display name, whether it is active, and whether it is
/// gated (`RequiresUserMatch` or `Private`: offered only to an account
/// already in it).
package enum Regions {
    /// One row of `allRegions`.
    package struct Region: Sendable {
        package let code: String
        package let display: String
        package let active: Bool
        package let gated: Bool
    }

    /// `allRegions`, in order.
    package static let all: [Region] = [
        Region(code: "pdx", display: "Oregon, USA", active: true, gated: true),
        Region(code: "lax", display: "Los Angeles, USA", active: true, gated: false),
        Region(code: "nyc", display: "New York, USA", active: true, gated: false),
        Region(code: "dal", display: "Dallas, USA", active: true, gated: false),
        Region(code: "iad", display: "Virginia, USA", active: true, gated: true),
        Region(code: "fra", display: "Frankfurt, Germany", active: true, gated: false),
        Region(code: "tyo", display: "Tokyo, Japan", active: true, gated: false),
        Region(code: "syd", display: "Sydney, Australia", active: true, gated: false),
        Region(code: "sgp", display: "Singapore", active: true, gated: false),
        Region(code: "lon", display: "London, UK", active: true, gated: false),
        Region(code: "dev", display: "$HOME", active: false, gated: false),
        Region(code: "ci", display: "CI", active: false, gated: false),
    ]

    /// Code → display name (`ByCode`: every row, active or not).
    package static let displayNames: [String: String] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0.display) })

    /// `AvailableFor(current)` with no team exelets: the active regions
    /// that are not gated, plus the account's current one.
    package static func available(current: String) -> [Region] {
        all.filter { $0.active && (!$0.gated || $0.code == current) }
    }
}
