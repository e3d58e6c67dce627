/// The real server's choice of the port its HTTP proxy routes to.
package enum ImagePorts {
    /// 80 if the image exposes 80, else the smallest exposed TCP port
    /// ≥ 1024, else 80.
    package static func proxyPort(exposed: [Int]) -> Int {
        if exposed.contains(80) { return 80 }
        return exposed.filter { $0 >= 1024 }.min() ?? 80
    }
}
