import ExeSystem

/// The shell programs a sync runs on the VM. They need only POSIX `sh` and
/// the GNU tools every exe.dev image has (`tar`, `xargs`, `stat`, `cp`,
/// `sha256sum`, `cmp`, `mv`): no rsync, no agent to install.
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
    /// Inode, size, and modification and change times in nanoseconds: an
    /// edit on the VM, even within the second of the last sync, changes one.
    static let statFormat = "%i %s %.9Y %.9Z %n\\0"

    private static func prelude(work: String, meta: String, tools: String = "tar xargs stat sha256sum cmp cp") -> String {
        """
        D=\(ShellQuote.word(work)); M=\(ShellQuote.word(meta))
        for tool in \(tools); do
          command -v "$tool" >/dev/null 2>&1 || { echo "MISSING $tool"; exit 4; }
        done
        mkdir -p "$D" "$M" || { echo "ERROR cannot create $D"; exit 3; }
        snapshot() { (cd "$D" && xargs -0 -r stat --printf '\(statFormat)' -- < "$M/paths" 2>/dev/null); }
        apply_pending() {
          P="$M/pending"
          if [ -s "$P/meta/deleted" ]; then
            (cd "$D" && xargs -0 -r rm -f -- < "$P/meta/deleted" \
              && xargs -0 -r dirname -z -- < "$P/meta/deleted" | sort -zu \
              | xargs -0 -r rmdir -p --ignore-fail-on-non-empty -- 2>/dev/null) || true
          fi
          if [ -d "$P/files" ]; then
            # Hard links from the complete stage replace each file in one step:
            # a file is either the old one or the new one, never half written.
            cp -a -l --remove-destination "$P/files/." "$D/" || return 1
            # Dropping the stage's links changes each file's ctime: do it
            # before the snapshot, or the next probe sees every file as changed.
            rm -rf "$P/files" || return 1
          fi
          mv -f "$P/meta/paths" "$M/paths" && mv -f "$P/meta/manifest" "$M/manifest" || return 1
          snapshot > "$M/expected.tmp" && mv -f "$M/expected.tmp" "$M/expected" || return 1
          rm -rf "$P"
        }
        if [ -d "$M/pending" ]; then apply_pending || { echo "ERROR cannot finish an interrupted sync"; exit 6; }; fi
        """
    }

    /// Reports the VM's sync state: `STATE none`, `STATE clean DIGEST`, or
    /// `STATE dirty DIGEST` followed by the expected and current `stat`
    /// snapshots (`EXPECTED n` / `CURRENT n` lines, then n bytes each).
    static func probe(work: String, meta: String) -> String {
        prelude(work: work, meta: meta) + """

        rm -rf "$M"/stage.* 2>/dev/null
        if [ ! -f "$M/manifest" ] || [ ! -f "$M/paths" ] || [ ! -f "$M/expected" ]; then echo "STATE none"; exit 0; fi
        H=$(sha256sum < "$M/manifest" | cut -c1-64)
        snapshot > "$M/current.tmp"
        if cmp -s "$M/current.tmp" "$M/expected"; then
          echo "STATE clean $H"
        else
          echo "STATE dirty $H"
          echo "EXPECTED $(wc -c < "$M/expected")"; cat "$M/expected"
          echo "CURRENT $(wc -c < "$M/current.tmp")"; cat "$M/current.tmp"
        fi
        rm -f "$M/current.tmp"
        """
    }

    /// Prints the manifest (for a machine that has not cached it).
    static func readManifest(meta: String) -> String {
        "cat \(ShellQuote.word(meta))/manifest"
    }

    /// Receives the archive (gzip-compressed when `compressed`) on stdin and applies it.
    static func apply(work: String, meta: String, compressed: Bool) -> String {
        prelude(work: work, meta: meta, tools: "tar xargs stat sha256sum cmp cp" + (compressed ? " gzip" : "")) + """

        rm -rf "$M"/stage.* 2>/dev/null
        S="$M/stage.$$"
        mkdir -p "$S" || exit 3
        if ! tar -x \(compressed ? "-z " : "")--no-same-owner -p -f - -C "$S"; then rm -rf "$S"; echo "ERROR the archive did not arrive whole"; exit 5; fi
        if [ ! -f "$S/meta/manifest" ]; then rm -rf "$S"; echo "ERROR the archive did not arrive whole"; exit 5; fi
        mv "$S" "$M/pending" || exit 6
        apply_pending || { echo "ERROR applying the sync failed"; exit 6; }
        echo "APPLIED"
        """
    }
}
