// ResultTable.cpp - fixed-width text, readable in a terminal and in a CI log.
#include "ResultTable.h"

#include <algorithm>

namespace kiln::kerneltest {
namespace {

std::string format(const char *spec, double value) {
  char text[64];
  std::snprintf(text, sizeof text, spec, value);
  return text;
}

} // namespace

void ResultTable::print(std::FILE *out) const {
  std::vector<std::string> header = {"kernel",      "target", "shape",    "max abs err",
                                     "max rel err", "result", "time (us)"};
  // A TFLOPS column only when some check counts its operations (the GEMMs).
  bool rates = std::any_of(rows_.begin(), rows_.end(),
                           [](const TableRow &row) { return row.flops > 0; });
  if (rates)
    header.push_back("TFLOPS");
  std::vector<std::vector<std::string>> cells;
  for (const TableRow &row : rows_) {
    cells.push_back(
        {row.kernel, row.target, row.shape, row.measured ? format("%.3e", row.maxAbsError) : "-",
         row.measured ? format("%.3e", row.maxRelError) : "-",
         row.result +
             (row.note.empty() ? "" : " [" + std::to_string(&row - rows_.data() + 1) + "]"),
         row.measured ? format("%.2f", row.microseconds) : "-"});
    if (rates)
      cells.back().push_back(row.measured && row.flops > 0 && row.microseconds > 0
                                 ? format("%.1f", row.flops / row.microseconds / 1e6)
                                 : "-");
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto &line : cells)
      width[c] = std::max(width[c], line[c].size());
  }
  auto printLine = [&](const std::vector<std::string> &line) {
    for (size_t c = 0; c + 1 < line.size(); ++c)
      std::fprintf(out, "%-*s  ", static_cast<int>(width[c]), line[c].c_str());
    std::fprintf(out, "%s\n", line.back().c_str());
  };
  printLine(header);
  std::vector<std::string> rule;
  for (size_t w : width)
    rule.push_back(std::string(w, '-'));
  printLine(rule);
  for (const auto &line : cells)
    printLine(line);
  for (size_t i = 0; i < rows_.size(); ++i)
    if (!rows_[i].note.empty())
      std::fprintf(out, "[%zu] %s: %s\n", i + 1, rows_[i].kernel.c_str(), rows_[i].note.c_str());
}

} // namespace kiln::kerneltest
