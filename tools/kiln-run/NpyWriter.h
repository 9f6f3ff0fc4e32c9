// NpyWriter.h - write a float32 matrix as a NumPy .npy file, atomically.
#ifndef KILN_TOOLS_KILN_RUN_NPYWRITER_H
#define KILN_TOOLS_KILN_RUN_NPYWRITER_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::run {

/// Writes the rows of `blocks` (each a multiple of `columns` floats, concatenated in order) to
/// `path` as .npy format 1.0, '<f4', C order, shape [rows, columns]. The bytes go to a
/// temporary file beside `path`, renamed over it when complete: a failure leaves nothing.
/// Returns false with `problem` set (naming the file) otherwise.
bool writeNpyAtomically(const std::string &path, const std::vector<std::vector<float>> &blocks,
                        uint64_t columns, std::string *problem);

} // namespace kiln::run

#endif // KILN_TOOLS_KILN_RUN_NPYWRITER_H
