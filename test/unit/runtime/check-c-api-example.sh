#!/usr/bin/env bash
# The C example against an installed runtime, as a user's project builds it: installs the
# runtime component of this build to a fresh prefix, configures and builds examples/c-api
# against it (find_package(KilnRuntime)), runs kiln-generate on the hand-made test artifact and
# compares its tokens with the reference's greedy continuation; then its error path.
#
#   check-c-api-example.sh SOURCE_DIR BUILD_DIR WORK_DIR GENERATOR C_COMPILER MAKE_ARTIFACT \
#                          TINY_GREEDY [EXTRA CMAKE ARGS...]
set -euo pipefail
src=$1 build=$2 work=$3 generator=$4 cc=$5 make_artifact=$6 tiny_greedy=$7
shift 7
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" --component runtime >"$work/install.log"
# What the component installs: the library, its header, the CMake package; nothing else.
installed=$(cd "$prefix" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort | tr '\n' ' ')
for expected in include/kiln_runtime.h lib/libkiln_runtime.so lib/cmake/KilnRuntime/KilnRuntimeConfig.cmake \
    lib/cmake/KilnRuntime/KilnRuntimeConfigVersion.cmake lib/cmake/KilnRuntime/KilnRuntimeTargets.cmake; do
  [[ " $installed " == *" $expected "* ]] || { echo "FAIL: $expected not installed (got: $installed)"; exit 1; }
done
if grep -E 'kiln-|tokenizer|libMLIR' <<<"$installed"; then
  echo "FAIL: the runtime component installs more than the runtime: $installed"
  exit 1
fi
# The library exports the C API only.
if nm -D --defined-only "$prefix/lib/libkiln_runtime.so" | awk '{print $3}' | grep -v '^kiln_'; then
  echo "FAIL: libkiln_runtime.so exports symbols outside the C API"
  exit 1
fi

cmake -G "$generator" -S "$src/examples/c-api" -B "$work/example" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_PREFIX_PATH="$prefix" "$@" >"$work/configure.log" 2>&1 \
  || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/example" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
generate=$work/example/kiln-generate

"$make_artifact" "$work/model.kiln" >/dev/null
prompt="3 1 4 1 5 9 2 6 5 3"   # ten ids: two prefill chunks of the artifact's eight
expected=$("$tiny_greedy" 12 $prompt)
got=$(KILN_NUM_THREADS=2 "$generate" "$work/model.kiln" 12 $prompt)
echo "kiln-generate: $got"
if [[ "$got" != "$expected" ]]; then
  echo "FAIL: kiln-generate printed '$got', the reference's greedy tokens are '$expected'"
  exit 1
fi

# An error is one line naming the file, exit status 1, nothing on stdout.
set +e
out=$("$generate" "$work/missing.kiln" 3 1 2 2>"$work/stderr")
code=$?
set -e
err=$(cat "$work/stderr")
if [[ $code -ne 1 || -n "$out" || "$err" != "kiln-generate: $work/missing.kiln: "* || $(wc -l <"$work/stderr") -ne 1 ]]; then
  echo "FAIL: a missing artifact gave exit $code, stdout '$out', stderr '$err'"
  exit 1
fi
echo "ok: the installed runtime builds and runs the C example ($err)"
