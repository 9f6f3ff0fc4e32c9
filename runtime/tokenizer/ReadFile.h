// ReadFile.h - a whole file into a string, with a one-line status naming it on failure.
#ifndef KILN_RUNTIME_TOKENIZER_READFILE_H
#define KILN_RUNTIME_TOKENIZER_READFILE_H

#include "kiln_runtime.h"

#include <string>

namespace kiln::tokenizer {

// NOT_FOUND when the file is missing, INVALID_ARGUMENT when it is a directory or unreadable.
kiln_status_t readFile(const std::string &path, std::string *contents);

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_READFILE_H
