# exe lease run: the VM side of one run (RemoteCommand.swift).
# Usage: run.sh STATE_DIRECTORY PID_FILE WORK_DIRECTORY with-environment|without-environment WORD...
# Records this shell's pid (the caller `exec`s it, so it leads the session's
# process group), sweeps the pid files of earlier runs that have exited,
# enters the work directory (creating it), reads `export NAME=value` lines
# from stdin when asked to, and `exec`s the command: one word is a shell
# script for /bin/sh, several are an argument vector.
# Exit codes: 125 the pid file or the environment failed, 126 the work
# directory failed; otherwise the command's own.
S=$1; PID=$2; W=$3; ENVIRONMENT=$4
shift 4
# umask, not `mkdir -m`: `-m` with `-p` applies only to the last directory.
(umask 077 && mkdir -p "$S") && printf '%s\n' "$$" > "$PID" || exit 125
# An empty file belongs to a run that is still writing it.
for f in "$S"/run_*.pid; do
  [ "$f" = "$PID" ] || [ ! -s "$f" ] || kill -0 "$(cat "$f")" 2>/dev/null || rm -f "$f"
done
mkdir -p "$W" && cd "$W" || exit 126
if [ "$ENVIRONMENT" = with-environment ]; then
  # The lines are `export` commands with every word quoted (RemoteCommand.environmentScript);
  # values travel on stdin so they never appear in an argv or on disk.
  eval "$(cat)" || exit 125
fi
if [ "$#" -eq 1 ]; then exec /bin/sh -c "$1"; fi
exec "$@"
