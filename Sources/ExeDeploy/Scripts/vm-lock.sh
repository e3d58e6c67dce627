# exe deploy: takes Pattern B's lock on the VM (VMDirectoryLock.swift).
# Usage: vm-lock.sh STATE_DIRECTORY LOCK_DIRECTORY DETAILS_FILE HELD_STATUS
# An atomic `mkdir LOCK_DIRECTORY` takes the lock; the details (JSON) on
# stdin then go to DETAILS_FILE. When the lock is held, prints the holder's
# details and exits HELD_STATUS.
S=$1; LOCK=$2; DETAILS=$3; HELD=$4
mkdir -p "$S" || exit 1
if mkdir "$LOCK" 2>/dev/null; then cat > "$DETAILS"; exit 0; fi
cat "$DETAILS" 2>/dev/null; exit "$HELD"
