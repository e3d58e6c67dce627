/// The `docker` command inside a VM.
public enum DockerShim {
    /// Runs `docker arguments...`; returns the exit status.
    public static func run(arguments: [String], environment: [String: String]) -> Int32 { 1 }
}
