# exe-cli vm exec: interrupts a command's process group (RemoteProcessGroup.swift).
# Usage: interrupt.sh PID_FILE GRACE_TENTHS
# Waits up to 5 s for the pid file, sends SIGINT to the group, SIGKILL after
# GRACE_TENTHS tenths of a second if it still runs, and removes the pid file.
# It calls the `kill` program through `env`: the shell's builtin may be
# dash's, which cannot signal a process group (`kill -- -PGID`).
PID=$1; GRACE=$2
i=0; while [ ! -s "$PID" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done
[ -s "$PID" ] || exit 0
p=$(cat "$PID"); env kill -s INT -- "-$p" 2>/dev/null || { rm -f "$PID"; exit 0; }
i=0; while [ "$i" -lt "$GRACE" ] && env kill -0 -- "-$p" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
env kill -s KILL -- "-$p" 2>/dev/null; rm -f "$PID"; exit 0
