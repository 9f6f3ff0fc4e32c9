// InputIds.h - parse kiln-run's --input-ids: "1,2,3" or several sequences "1,2,3;4,5".
#ifndef KILN_TOOLS_KILN_RUN_INPUTIDS_H
#define KILN_TOOLS_KILN_RUN_INPUTIDS_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::run {

/// Splits `text` into sequences (';') of token ids (','); spaces around an id are allowed.
/// Every sequence must hold at least one id, every id be a decimal integer in [0, 2^31).
/// Returns false with `problem` set (no "--input-ids:" prefix) otherwise.
bool parseInputIds(const std::string &text, std::vector<std::vector<int32_t>> *sequences,
                   std::string *problem);

} // namespace kiln::run

#endif // KILN_TOOLS_KILN_RUN_INPUTIDS_H
