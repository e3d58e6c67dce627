# exe-cli vm exec: runs a command line so that its whole process group can
# be signalled (RemoteProcessGroup.swift). Run by the login shell, which the
# caller `exec`s, so this shell's pid leads the session's process group.
# Usage: process-group.sh PID_FILE COMMAND_LINE
# Records the pid in PID_FILE, runs COMMAND_LINE with `eval` (so it means
# what it meant unwrapped, with no positional parameters) and removes the
# file on exit, also when the command line itself calls `exit`.
exe_pid_file=$1; exe_command_line=$2
shift 2
trap 'rm -f "$exe_pid_file"' EXIT
printf '%s\n' "$$" > "$exe_pid_file" || exit 125
eval "$exe_command_line"
