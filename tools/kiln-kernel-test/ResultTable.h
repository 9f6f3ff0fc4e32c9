// ResultTable.h - the table kiln-kernel-test prints: one row per (kernel, target).
#ifndef KILN_TOOLS_KERNEL_TEST_RESULTTABLE_H
#define KILN_TOOLS_KERNEL_TEST_RESULTTABLE_H

#include <cstdio>
#include <string>
#include <vector>

namespace kiln::kerneltest {

struct TableRow {
  std::string kernel, target, shape;
  std::string result;    // "pass", "FAIL", "ERROR", "skip"
  bool measured = false; // the error and time columns hold numbers
  double maxAbsError = 0, maxRelError = 0, microseconds = 0;
  double flops = 0; // of one launch; > 0 adds a TFLOPS column
  std::string note; // why it failed, errored or was skipped; printed under the table
};

class ResultTable {
public:
  void add(TableRow row) { rows_.push_back(std::move(row)); }
  const std::vector<TableRow> &rows() const { return rows_; }
  // Aligned columns, then the notes numbered by row.
  void print(std::FILE *out) const;

private:
  std::vector<TableRow> rows_;
};

} // namespace kiln::kerneltest

#endif // KILN_TOOLS_KERNEL_TEST_RESULTTABLE_H
