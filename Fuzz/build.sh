#!/usr/bin/env bash
# Builds exe-fuzz as a coverage-guided libFuzzer binary (every module
# instrumented with -sanitize=fuzzer) in its own scratch directory, so the
# normal .build is left alone. Usage: Fuzz/build.sh  (then see Fuzz/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product exe-fuzz --scratch-path .build/fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DEXE_LIBFUZZER
echo ".build/fuzz/release/exe-fuzz"
