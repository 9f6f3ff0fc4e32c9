// Rng.h - the sampler's random numbers: xoshiro256** seeded through splitmix64, written out
// here (not std:: distributions, whose output differs between standard libraries) so a seed
// gives the same tokens on every platform, and the golden script can replay it in Python.
#ifndef KILN_RUNTIME_SAMPLING_RNG_H
#define KILN_RUNTIME_SAMPLING_RNG_H

#include <cstdint>

namespace kiln::sampling {

class Rng {
public:
  explicit Rng(uint64_t seed);
  uint64_t next();
  // Uniform in [0, 1): the top 53 bits of next() times 2^-53.
  double uniform();

private:
  uint64_t s_[4];
};

} // namespace kiln::sampling

#endif // KILN_RUNTIME_SAMPLING_RNG_H
