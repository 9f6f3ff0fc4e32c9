// InputIds.cpp - parse kiln-run's --input-ids.
#include "InputIds.h"

namespace kiln::run {

namespace {

std::string trim(const std::string &text) {
  size_t begin = text.find_first_not_of(" \t"), end = text.find_last_not_of(" \t");
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

std::vector<std::string> split(const std::string &text, char separator) {
  std::vector<std::string> parts;
  size_t begin = 0;
  for (size_t end; (end = text.find(separator, begin)) != std::string::npos; begin = end + 1)
    parts.push_back(text.substr(begin, end - begin));
  parts.push_back(text.substr(begin));
  return parts;
}

} // namespace

bool parseInputIds(const std::string &text, std::vector<std::vector<int32_t>> *sequences,
                   std::string *problem) {
  sequences->clear();
  if (trim(text).empty()) {
    *problem = "no token ids";
    return false;
  }
  const std::vector<std::string> parts = split(text, ';');
  for (size_t s = 0; s < parts.size(); ++s) {
    const std::string where = parts.size() > 1 ? " in sequence " + std::to_string(s) : "";
    if (trim(parts[s]).empty()) {
      *problem = "sequence " + std::to_string(s) + " is empty";
      return false;
    }
    std::vector<int32_t> ids;
    for (const std::string &raw : split(parts[s], ',')) {
      const std::string item = trim(raw);
      if (item.empty()) {
        *problem = "empty token id after " + std::to_string(ids.size()) + " ids" + where;
        return false;
      }
      int64_t value = 0;
      for (char c : item) {
        if (c < '0' || c > '9') {
          *problem = "'" + item + "'" + where + " is not a token id (a non-negative integer)";
          return false;
        }
        value = value * 10 + (c - '0');
        if (value > INT32_MAX) {
          *problem = "token id " + item + where + " is out of range";
          return false;
        }
      }
      ids.push_back(static_cast<int32_t>(value));
    }
    sequences->push_back(std::move(ids));
  }
  return true;
}

} // namespace kiln::run
