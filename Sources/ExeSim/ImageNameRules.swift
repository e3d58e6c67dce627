/// `container.ValidateImageName` (`container/helpers.go`): `new --image`
/// refuses an empty name and anything that "smells remotely local" — a name
/// starting with `localhost` or `127.0.0.1` (any case), containing `://`, or
/// starting with `/`, `./` or `../`.
///
/// Deviation: the simulator's own registry is on loopback (the only network
/// here), so images from exactly that address are let through; any other
/// local name is refused as exe.dev refuses it.
enum ImageNameRules {
    /// The server's reason for refusing `image`, or `nil`.
    static func problem(_ image: String, simulatorRegistry: String) -> String? {
        if image.isEmpty { return "image name cannot be empty" }
        if image.hasPrefix(simulatorRegistry + "/") { return nil }
        let lower = image.lowercased()
        if lower.hasPrefix("localhost") || lower.hasPrefix("127.0.0.1") || image.contains("://") || image.hasPrefix("/")
            || image.hasPrefix("./") || image.hasPrefix("../")
        {
            return "image name \(GoFlagParser.goQuote(image)) is not valid"
        }
        return nil
    }
}
