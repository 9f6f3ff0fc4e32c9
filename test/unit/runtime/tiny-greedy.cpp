// kiln-tiny-greedy - the greedy continuation of a prompt under the hand-made model, computed by
// the tests' reference (TestArtifact.h, tinyReference), not by the runtime:
//
//   kiln-tiny-greedy COUNT ID [ID...]
//
// prints COUNT ids, space-separated, on one line: what examples/c-api's kiln-generate must
// print for the same prompt (check-c-api-example.sh).
#include "TestArtifact.h"
#include "TestModel.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: kiln-tiny-greedy COUNT ID [ID...]\n");
    return 2;
  }
  const int count = std::atoi(argv[1]);
  std::vector<int32_t> tokens;
  for (int i = 2; i < argc; ++i)
    tokens.push_back(std::atoi(argv[i]));
  for (int i = 0; i < count; ++i) {
    std::vector<float> logits = kiln::test::tinyReference(tokens);
    const float *last = logits.data() + (tokens.size() - 1) * KILN_TEST_VOCAB;
    const auto next = static_cast<int32_t>(std::max_element(last, last + KILN_TEST_VOCAB) - last);
    std::printf(i ? " %d" : "%d", next);
    tokens.push_back(next);
  }
  std::printf("\n");
  return 0;
}
