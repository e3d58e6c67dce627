/// The regions a `set-region` code may name, with their display names.
package enum Regions {
    /// Code → display name.
    package static let displayNames: [String: String] = [
        "pdx": "Portland, USA", "lax": "Los Angeles, USA", "nyc": "New York, USA", "dal": "Dallas, USA",
        "fra": "Frankfurt, Germany", "tyo": "Tokyo, Japan", "syd": "Sydney, Australia",
        "sgp": "Singapore", "lon": "London, UK",
    ]
    /// Codes new accounts may choose, in display order.
    package static let selectable = ["lax", "nyc", "dal", "fra", "tyo", "syd", "sgp", "lon"]
}
