/// Names for VMs created without `--name`: two different words joined by
/// a hyphen, like the real server's (`maple-dune`).
enum RandomVMName {
    static let words = [
        "alpha", "bravo", "delta", "echo", "foxtrot", "kilo", "lima", "oscar", "sierra", "tango", "amber", "azure",
        "cedar", "maple", "willow", "spruce", "river", "ocean", "storm", "comet", "nova", "nebula", "quasar", "orbit",
        "photon", "otter", "heron", "falcon", "badger", "raven", "scarlet", "crimson", "emerald", "silver", "bronze",
        "anchor", "beacon", "harbor", "island", "lagoon", "valley", "canyon", "dune", "grove", "ridge", "sphinx",
        "griffin", "hydra", "kraken", "pegasus", "golem", "wyvern",
    ]

    static func generate(accept: (String) -> Bool) -> String {
        while true {
            let first = words.randomElement() ?? "maple"
            var second = words.randomElement() ?? "dune"
            while second == first { second = words.randomElement() ?? "dune" }
            let name = "\(first)-\(second)"
            if accept(name) { return name }
        }
    }
}
