// kiln-make-test-artifact - writes the runtime tests' hand-made artifact (TestArtifact.h) for
// the kiln-run tests (check-kiln-run.py), and prints where its sections lie:
//
//   kiln-make-test-artifact OUT.kiln [VARIANT]
//
// VARIANT: ok (default), small-kv (4 KV blocks), no-cpu (the target is sm_90a),
// unknown-feature, missing-symbol. Prints "section NAME OFFSET SIZE" per section and
// "header OFFSET".
#include "TestArtifact.h"

#include <cstdio>
#include <string>

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: kiln-make-test-artifact OUT.kiln [VARIANT]\n");
    return 2;
  }
  const std::string variant = argc == 3 ? argv[2] : "ok";
  kiln::test::ArtifactDesc desc =
      kiln::test::tinyModel(KILN_TEST_KERNELS, variant == "small-kv" ? 4 : 16);
  if (variant == "no-cpu")
    desc.targets[0].name = "sm_90a";
  else if (variant == "unknown-feature")
    desc.features.push_back("moe-v9");
  else if (variant == "missing-symbol")
    desc.targets[0].kernels[2].symbol = "kiln_test_missing";
  else if (variant != "ok" && variant != "small-kv") {
    std::fprintf(stderr, "kiln-make-test-artifact: unknown variant '%s'\n", variant.c_str());
    return 2;
  }
  kiln::test::Placement placement;
  if (std::string error = kiln::test::writeArtifact(desc, argv[1], &placement); !error.empty()) {
    std::fprintf(stderr, "kiln-make-test-artifact: %s\n", error.c_str());
    return 1;
  }
  for (size_t i = 0; i < desc.sections.size(); ++i)
    std::printf("section %s %llu %zu\n", desc.sections[i].name.c_str(),
                static_cast<unsigned long long>(placement.sectionOffsets[i]),
                desc.sections[i].bytes.size());
  std::printf("header %llu\n", static_cast<unsigned long long>(placement.headerOffset));
  return 0;
}
