#!/usr/bin/env bash
# Configures and builds Kiln with -DKILN_BUILD_COMPILER=OFF from scratch, with MLIR and LLVM
# made unfindable, then checks that nothing built links them.
#   runtime-only-build.sh SOURCE_DIR BUILD_DIR GENERATOR
set -euo pipefail
src=$1 build=$2 generator=${3:-Ninja}
rm -rf "$build"
cmake -G "$generator" -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DKILN_BUILD_COMPILER=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_MLIR=ON -DCMAKE_DISABLE_FIND_PACKAGE_LLVM=ON >"$build-configure.log" 2>&1 \
  || { cat "$build-configure.log"; exit 1; }
if grep -E '^(MLIR|LLVM)_DIR:' "$build/CMakeCache.txt"; then
  echo "FAIL: the runtime-only configuration looked up MLIR/LLVM"
  exit 1
fi
cmake --build "$build" -j "$(nproc)"
binaries=$(find "$build/bin" "$build/lib" -type f \( -perm -u+x -o -name '*.so*' \) 2>/dev/null)
[[ -n "$binaries" ]] || { echo "FAIL: the runtime-only build produced nothing"; exit 1; }
"$(dirname "$0")/check-no-mlir-deps.sh" $binaries
echo "runtime-only build ok: $(echo $binaries | wc -w) binaries, none linking MLIR/LLVM"
