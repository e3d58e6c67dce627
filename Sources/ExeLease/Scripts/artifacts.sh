# exe lease run --artifacts: lists a run's artifacts (LeaseArtifacts.swift).
# Usage: artifacts.sh WORK_DIRECTORY PATTERN...
# Lists, in the work directory, the regular files under each pattern's
# matches (symbolic links are not followed), with their sizes, as
# NUL-terminated records: `f<TAB>size<TAB>path`, `m<TAB>pattern` (no
# match), `x<TAB>pattern` (leads outside the work directory).
cd -- "$1" || exit 3
shift
root=$(pwd -P)
# Split a pattern on newlines only, so a pattern with spaces stays one glob.
IFS='
'
for pattern in "$@"; do
  matched=0
  # Unquoted on purpose: the pattern is a glob the shell expands here.
  for path in $pattern; do
    [ -e "$path" ] || continue
    # A match such as `-rf` would be an option to find: name it ./-rf.
    case $path in -*) path=./$path ;; esac
    real=$(readlink -f -- "$path")
    case $real in
      "$root"|"$root"/*) ;;
      *) printf 'x\t%s\0' "$pattern"; matched=1; continue ;;
    esac
    matched=1
    find "$path" -type f -exec stat --printf 'f\t%s\t%n\0' {} +
  done
  [ "$matched" = 1 ] || printf 'm\t%s\0' "$pattern"
done
