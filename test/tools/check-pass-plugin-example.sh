#!/usr/bin/env bash
# examples/pass-plugin against an installed Kiln, as a user's project builds it: installs the
# compiler component of this build to a fresh prefix, configures and builds the example against
# it (find_package(Kiln)), checks that the plugin carries none of Kiln's code (it needs
# libKilnCompiler.so and defines no TypeID of a kiln op), then runs the lit tests that load it
# (test/PassPlugin/, REQUIRES: pass-plugin) with the installed kiln-opt and kiln-compile.
#
#   check-pass-plugin-example.sh SOURCE_DIR BUILD_DIR WORK_DIR GENERATOR CXX_COMPILER LIT \
#                                [EXTRA CMAKE ARGS...]
set -euo pipefail
src=$1 build=$2 work=$3 generator=$4 cxx=$5 lit=$6
shift 6
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$prefix" --component compiler >"$work/install.log"
# What the component installs: the one shared library, the two compiler tools, the headers a
# pass author includes (generated ones too) and the CMake package; no static library of Kiln's
# (a plugin could link a second copy from it) and nothing of the runtime's.
installed=$(cd "$prefix" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort | tr '\n' ' ')
for expected in lib/libKilnCompiler.so bin/kiln-compile bin/kiln-opt \
    include/kiln/dialects/kiln/KilnOps.h include/kiln/dialects/kiln/KilnGraphOps.h.inc \
    include/kiln/dialects/kiln/KilnGraphOps.td include/kiln/dialects/plan/KilnPlanDialect.h \
    include/kiln/passes/Passes.h include/kiln/passes/Passes.h.inc \
    lib/cmake/Kiln/KilnConfig.cmake lib/cmake/Kiln/KilnConfigVersion.cmake \
    lib/cmake/Kiln/KilnTargets.cmake; do
  [[ " $installed " == *" $expected "* ]] || fail "$expected not installed (got: $installed)"
done
if grep -oE '[^ ]*\.a |[^ ]*kiln_runtime[^ ]*|[^ ]*\.cpp ' <<<"$installed"; then
  fail "the compiler component installs a static library, the runtime or sources"
fi
# The installed tools load the installed library.
# (Each tool's output is captured first: `grep -q` exits at its first match, and the tool would
# then die of SIGPIPE, which pipefail turns into a failure.)
loads=$(ldd "$prefix/bin/kiln-opt")
grep -Eq "libKilnCompiler\.so.* => $prefix/(bin/\.\./)?lib/" <<<"$loads" \
  || fail "the installed kiln-opt does not load $prefix/lib/libKilnCompiler.so: $loads"

cmake -G "$generator" -S "$src/examples/pass-plugin" -B "$work/example" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" "$@" \
  >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/example" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
plugin=$work/example/KilnExamplePlugin.so

# One copy of Kiln in the process: the plugin refers to kiln.add's TypeID in libKilnCompiler.so
# and defines none of Kiln's TypeIDs itself.
dynamic=$(readelf -d "$plugin")
grep -q 'NEEDED.*\[libKilnCompiler\.so' <<<"$dynamic" \
  || fail "$plugin does not link libKilnCompiler.so"
if nm -DC --defined-only "$plugin" | grep 'TypeIDResolver<kiln::'; then
  fail "$plugin defines TypeIDs of Kiln's (a static copy of Kiln's code)"
fi
undefined=$(nm -DC --undefined-only "$plugin")
grep -q 'TypeIDResolver<kiln::AddOp,' <<<"$undefined" \
  || fail "$plugin does not refer to kiln::AddOp's TypeID in libKilnCompiler.so"

# The plugin's lit tests, with the installed tools (lit's tool substitutions take a
# --param NAME=PATH override). Every test that needs the plugin must have run and passed.
status=0
"$lit" -v "$build/test/PassPlugin" --param kiln_pass_plugin="$plugin" \
  --param kiln-opt="$prefix/bin/kiln-opt" --param kiln-compile="$prefix/bin/kiln-compile" \
  >"$work/lit.log" 2>&1 || status=$?
cat "$work/lit.log"
[[ $status -eq 0 ]] || fail "lit failed"
expected=$(grep -l 'REQUIRES: pass-plugin' "$src"/test/PassPlugin/* | wc -l)
passed=$(grep -c '^PASS: ' "$work/lit.log" || true)
[[ $passed -eq $expected && $expected -gt 0 ]] \
  || fail "$passed of the $expected tests that need the plugin passed"
echo "ok: the installed Kiln builds examples/pass-plugin, and kiln-opt and kiln-compile run it"
