import ExeSystem

/// The shell programs a sync runs on the VM. They need only POSIX `sh` and
/// the GNU tools every exe.dev image has (`tar`, `find`, `xargs`, `stat`,
/// `sha256sum`, `cmp`, `mv`): no rsync, no agent to install.
///
/// Layout on the VM: the work tree in `work`, sync state in `meta`
/// (`manifest`, `paths`, `expected`: the `stat` of every synced file right
/// after the last sync). A transfer extracts into `meta/stage.PID`; only a
/// complete archive (its last entry is the manifest) is renamed to
/// `meta/pending`, the commit point; applying `pending` (renames, then
/// deletions, then the manifest) is repeatable, so an interrupted apply is
/// finished by the next sync and the tree never holds a half-written file.
enum RemoteSyncScript {
    static let statFormat = "%i %s %Y %Z %n\\0"

    private static func prelude(work: String, meta: String) -> String {
        """
        D=\(ShellQuote.word(work)); M=\(ShellQuote.word(meta))
        for tool in tar find xargs stat sha256sum cmp; do
          command -v "$tool" >/dev/null 2>&1 || { echo "MISSING $tool"; exit 4; }
        done
        mkdir -p "$D" "$M" || { echo "ERROR cannot create $D"; exit 3; }
        snapshot() { (cd "$D" && xargs -0 -r stat --printf '\(statFormat)' -- < "$M/paths" 2>/dev/null); }
        apply_pending() {
          P="$M/pending"
          if [ -f "$P/meta/deleted" ]; then
            (cd "$D" && xargs -0 -r rm -f -- < "$P/meta/deleted") || return 1
          fi
          if [ -d "$P/files" ]; then
            (cd "$P/files" && find . \\( -type f -o -type l \\) -exec sh -c '
              for f; do
                t="$0/$f"
                mkdir -p "${t%/*}" || exit 1
                if [ -d "$t" ] && [ ! -L "$t" ]; then rmdir "$t" || exit 1; fi
                mv -f "$f" "$t" || exit 1
              done' "$D" {} +) || return 1
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

    /// Receives the archive on stdin and applies it.
    static func apply(work: String, meta: String) -> String {
        prelude(work: work, meta: meta) + """

        rm -rf "$M"/stage.* 2>/dev/null
        S="$M/stage.$$"
        mkdir -p "$S" || exit 3
        if ! tar -x --no-same-owner -p -f - -C "$S"; then rm -rf "$S"; echo "ERROR the archive did not arrive whole"; exit 5; fi
        if [ ! -f "$S/meta/manifest" ]; then rm -rf "$S"; echo "ERROR the archive did not arrive whole"; exit 5; fi
        mv "$S" "$M/pending" || exit 6
        apply_pending || { echo "ERROR applying the sync failed"; exit 6; }
        echo "APPLIED"
        """
    }
}
