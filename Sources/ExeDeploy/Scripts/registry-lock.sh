# exe deploy / registry gc: the lock on an exe-hosted registry VM (ExeRegistryLock.swift).
# Usage: registry-lock.sh use DIRECTORY SECONDS USE_MINUTES COLLECTION_MINUTES DETAILS ID
#        registry-lock.sh collect DIRECTORY SECONDS USE_MINUTES COLLECTION_MINUTES DETAILS
# A use is the marker file DIRECTORY/uses/ID holding DETAILS (many at once);
# the collection is the directory DIRECTORY/gc (mkdir: one at a time) with
# DETAILS in DIRECTORY/gc/details. Each side writes its own mark before it
# looks for the other's. Waits up to SECONDS; marks older than their
# lifetime (USE_MINUTES, COLLECTION_MINUTES) are ignored.
# Exit codes: 0 taken; 70 DIRECTORY is not writable; 75 a collection holds
# it (its details printed); 76 uses hold it (their details printed).
ACTION=$1; d=$2; SECONDS_TO_WAIT=$3; USE_MINUTES=$4; COLLECTION_MINUTES=$5; DETAILS=$6; ID=${7-}
# A fresh collection mark exists: DIRECTORY/gc younger than its lifetime.
collecting() { [ -d "$d/gc" ] && [ -n "$(find "$d/gc" -maxdepth 0 -mmin "-$COLLECTION_MINUTES")" ]; }
fresh_uses() { find "$d/uses" -type f -mmin "-$USE_MINUTES"; }
mkdir -p "$d/uses" || exit 70
n=0
case $ACTION in
use)
  [ -n "$ID" ] || exit 70
  marker="$d/uses/$ID"
  while :; do
    if collecting; then
      n=$((n+1))
      if [ "$n" -gt "$SECONDS_TO_WAIT" ]; then cat "$d/gc/details" 2>/dev/null; echo; exit 75; fi
      sleep 1
      continue
    fi
    printf '%s\n' "$DETAILS" > "$marker" || exit 70
    if collecting; then rm -f "$marker"; continue; fi
    exit 0
  done
  ;;
collect)
  if [ -d "$d/gc" ] && ! collecting; then rm -rf "$d/gc"; fi
  if ! mkdir "$d/gc" 2>/dev/null; then cat "$d/gc/details" 2>/dev/null; echo; exit 75; fi
  printf '%s\n' "$DETAILS" > "$d/gc/details" || { rm -rf "$d/gc"; exit 70; }
  while [ -n "$(fresh_uses)" ]; do
    n=$((n+1))
    if [ "$n" -gt "$SECONDS_TO_WAIT" ]; then find "$d/uses" -type f -mmin "-$USE_MINUTES" -exec cat {} +; rm -rf "$d/gc"; exit 76; fi
    sleep 1
  done
  find "$d/uses" -type f -mmin "+$USE_MINUTES" -exec rm -f {} +
  exit 0
  ;;
*)
  echo "unknown action: $ACTION" >&2; exit 2
  ;;
esac
