# exe lease sync: the VM side of a work-tree sync (RemoteSyncScript.swift).
# Usage: sync.sh probe|apply|apply-gzip WORK META
#   probe       prints STATE none | STATE clean DIGEST | STATE dirty DIGEST
#               followed by EXPECTED n / CURRENT n and n bytes of each snapshot
#   apply       reads a tar archive on stdin and applies it
#   apply-gzip  the same, gzip-compressed
# Exit codes: 3 cannot create a directory, 4 a tool is missing (MISSING tool),
# 5 the archive did not arrive whole, 6 applying failed.
ACTION=$1; D=$2; M=$3
TOOLS="tar xargs stat sha256sum cmp cp"
if [ "$ACTION" = apply-gzip ]; then TOOLS="$TOOLS gzip"; fi
for tool in $TOOLS; do
  command -v "$tool" >/dev/null 2>&1 || { echo "MISSING $tool"; exit 4; }
done
mkdir -p "$D" "$M" || { echo "ERROR cannot create $D"; exit 3; }
# Inode, size, and modification and change times in nanoseconds: an edit on
# the VM, even within the second of the last sync, changes one.
snapshot() { (cd "$D" && xargs -0 -r stat --printf '%i %s %.9Y %.9Z %n\0' -- < "$M/paths" 2>/dev/null); }
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
rm -rf "$M"/stage.* 2>/dev/null

case $ACTION in
probe)
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
  ;;
apply|apply-gzip)
  S="$M/stage.$$"
  mkdir -p "$S" || exit 3
  if [ "$ACTION" = apply-gzip ]; then Z=-z; else Z=; fi
  # $Z is empty or one word: unquoted on purpose, so that empty adds no argument.
  # shellcheck disable=SC2086
  if ! tar -x $Z --no-same-owner -p -f - -C "$S"; then rm -rf "$S"; echo "ERROR the archive did not arrive whole"; exit 5; fi
  if [ ! -f "$S/meta/manifest" ]; then rm -rf "$S"; echo "ERROR the archive did not arrive whole"; exit 5; fi
  mv "$S" "$M/pending" || exit 6
  apply_pending || { echo "ERROR applying the sync failed"; exit 6; }
  echo "APPLIED"
  ;;
*)
  echo "ERROR unknown action: $ACTION" >&2; exit 2
  ;;
esac
