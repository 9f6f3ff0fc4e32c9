# lit configuration for Kiln's FileCheck tests.
import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "unit", "tools",
                   "fixtures", "gpu"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()
# FileCheck, not, count come from LLVM's tool directory; kiln-opt from ours.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["kiln-opt", "kiln-compile", "kiln-inspect", "kiln-tokenize",
                                    "kiln-run"],
                                  [config.kiln_tools_dir])
config.substitutions.append(("%fixtures", os.path.join(config.kiln_src_root, "test", "fixtures")))
config.substitutions.append(("%configs", os.path.join(config.kiln_src_root, "examples", "configs")))
# ../shared (beside the checkout on development and CI machines) holds the real DeepSeek-V3
# tokenizer; tests that read it say `REQUIRES: shared-tokenizer`.
shared_tokenizer = os.path.join(os.path.dirname(config.kiln_src_root), "shared", "data",
                                "deepseek-v3-tokenizer")
if os.path.isfile(os.path.join(shared_tokenizer, "tokenizer.json")):
    config.available_features.add("shared-tokenizer")
    config.substitutions.append(("%shared_tokenizer", shared_tokenizer))
config.substitutions.append(("%mlir_c_runner_utils",
    os.path.join(os.path.dirname(config.llvm_tools_dir), "lib", "libmlir_c_runner_utils.so")))
config.substitutions.append(("%testtools", os.path.join(config.kiln_src_root, "test", "tools")))

# The example pass plugin (examples/pass-plugin/) is built against an installed Kiln by ctest's
# pass-plugin-example (test/tools/check-pass-plugin-example.sh), which runs test/PassPlugin/ with
# --param kiln_pass_plugin=PATH (and the installed tools: --param kiln-opt=PATH ...). Tests that
# load it say `REQUIRES: pass-plugin`; in a plain lit run they are UNSUPPORTED.
pass_plugin = lit_config.params.get("kiln_pass_plugin")
if pass_plugin:
    config.available_features.add("pass-plugin")
    config.substitutions.append(("%pass_plugin", pass_plugin))
config.substitutions.append(("%scripts", os.path.join(config.kiln_src_root, "scripts")))
config.substitutions.append(("%kiln_build", config.kiln_obj_root))

# kiln-bench-openblas (bench/cpu/openblas-baseline) is built only where OpenBLAS is installed;
# its tests say `REQUIRES: openblas-baseline` and are UNSUPPORTED without it.
if os.path.isfile(os.path.join(config.kiln_tools_dir, "kiln-bench-openblas")):
    config.available_features.add("openblas-baseline")
    llvm_config.add_tool_substitutions(["kiln-bench-openblas"], [config.kiln_tools_dir])

# A Python with torch + transformers (scripts/fixtures-requirements.txt) is never needed to build
# or test; where KILN_TRANSFORMERS_PYTHON names one, tests that run transformers live
# (`REQUIRES: transformers`) run too.
transformers_python = os.environ.get("KILN_TRANSFORMERS_PYTHON")
if transformers_python and os.access(transformers_python, os.X_OK):
    config.available_features.add("transformers")
    config.substitutions.append(("%transformers_python", transformers_python))

# ptxas is the CUDA toolkit's (not a Debian package). Tests that need it say
# `REQUIRES: ptxas`; without it they are UNSUPPORTED, unless KILN_REQUIRE_PTXAS=1 (CI), which
# turns its absence into an error.
# KILN_PTXAS names the one ptxas to use (the tests of this mechanism point it nowhere).
def find_ptxas():
    if "KILN_PTXAS" in os.environ:
        candidates = [os.environ["KILN_PTXAS"]]
    else:
        candidates = [shutil.which("ptxas"), "/usr/local/cuda/bin/ptxas"]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None

ptxas = find_ptxas()
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
    config.substitutions.append(("%cuda_root", os.path.dirname(os.path.dirname(ptxas))))
elif os.environ.get("KILN_REQUIRE_PTXAS") == "1":
    lit_config.fatal("KILN_REQUIRE_PTXAS=1 but ptxas was not found (looked at $KILN_PTXAS, "
                     "PATH and /usr/local/cuda/bin); install the CUDA toolkit")
else:
    lit_config.note("ptxas not found (looked at $KILN_PTXAS, PATH, /usr/local/cuda/bin): "
                    "tests that assemble PTX are UNSUPPORTED; set KILN_REQUIRE_PTXAS=1 to fail")
