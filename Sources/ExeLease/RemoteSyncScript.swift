import ExeSystem

/// The shell program a sync runs on the VM (`Scripts/sync.sh`, embedded in
/// the code). It needs only POSIX `sh` and the GNU tools every exe.dev
/// image has (`tar`, `xargs`, `stat`, `cp`, `sha256sum`, `cmp`, `mv`): no
/// rsync, no agent to install. The paths reach it as positional arguments,
/// never in its text.
///
/// Layout on the VM: the work tree in `work`, sync state in `meta`
/// (`manifest`, `paths`, `expected`: the `stat` of every synced file right
/// after the last sync). A transfer extracts into `meta/stage.PID`; only a
/// complete archive (its last entry is the manifest) is renamed to
/// `meta/pending`, the commit point; applying `pending` (deletions, then
/// hard links replacing each changed file, then the manifest) is
/// repeatable, so an interrupted apply is finished by the next sync and the
/// tree never holds a half-written file.
enum RemoteSyncScript {
    /// `Scripts/sync.sh`.
    static let script = ShellScript(name: "exe-sync", bytes: PackageResources.sync_sh)

    /// Reports the VM's sync state: `STATE none`, `STATE clean DIGEST`, or
    /// `STATE dirty DIGEST` followed by the expected and current `stat`
    /// snapshots (`EXPECTED n` / `CURRENT n` lines, then n bytes each).
    static func probe(work: String, meta: String) -> ShellCommand {
        script.command("probe", work, meta)
    }

    /// Prints the manifest (for a machine that has not cached it).
    static func readManifest(meta: String) -> ShellCommand {
        ShellCommand("cat", meta + "/manifest")
    }

    /// Receives the archive (gzip-compressed when `compressed`) on stdin and applies it.
    static func apply(work: String, meta: String, compressed: Bool) -> ShellCommand {
        script.command(compressed ? "apply-gzip" : "apply", work, meta)
    }
}
