#!/usr/bin/env bash
# Runs a command and checks both its exit status and its output (stdout and stderr together),
# which ctest's PASS_REGULAR_EXPRESSION alone cannot: it ignores the exit status.
#   expect.sh [--skip-with-driver] STATUS TEXT COMMAND...   TEXT appears verbatim in the output
#   expect.sh [--skip-with-driver] STATUS -E REGEX COMMAND...
# --skip-with-driver: exit 77 (ctest's SKIP_RETURN_CODE) where libcuda.so.1 is installed, for
# tests of what a machine without the NVIDIA driver prints.
set -uo pipefail
if [[ "$1" == "--skip-with-driver" ]]; then
  shift
  if { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libcuda\.so\.1 '; then
    echo "skipped: libcuda.so.1 is installed here"
    exit 77
  fi
fi
want_status=$1
shift
grep_mode=-F
if [[ "$1" == "-E" ]]; then
  grep_mode=-E
  shift
fi
want=$1
shift
output=$("$@" 2>&1)
status=$?
echo "$output"
echo "--- exit status $status"
[[ $status -eq $want_status ]] || { echo "FAIL: exit status $status, want $want_status"; exit 1; }
grep -q $grep_mode -- "$want" <<<"$output" || { echo "FAIL: output lacks: $want"; exit 1; }
echo "ok"
