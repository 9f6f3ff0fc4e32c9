#!/usr/bin/env bash
# Fails when a runtime binary links MLIR or LLVM: it must run on machines with no compiler
# toolchain. Checks the dynamic dependencies (ELF NEEDED) and the undefined symbols.
set -euo pipefail
status=0
for binary in "$@"; do
  needed=$(readelf -d "$binary" | awk '/NEEDED/ {print $5}' | tr -d '[]')
  if grep -Ei 'mlir|llvm' <<<"$needed"; then
    echo "FAIL: $binary links MLIR/LLVM: $(tr '\n' ' ' <<<"$needed")"
    status=1
  fi
  # Mangled names in namespaces mlir:: (N4mlir / 4mlir) or llvm:: (N4llvm / 4llvm).
  if nm -D --undefined-only "$binary" | grep -E '_Z.*(N4mlir|N4llvm|4mlir|4llvm)' | head -3 | grep .; then
    echo "FAIL: $binary needs MLIR/LLVM symbols"
    status=1
  fi
  [[ $status -eq 0 ]] && echo "ok: $binary needs only: $(tr '\n' ' ' <<<"$needed")"
done
exit $status
