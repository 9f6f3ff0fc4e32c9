//===- ImportBench.cpp - import a checkpoint and report what it cost ----------===//
//
//   kiln-import-bench <hf-dir> [--max-read-overhead BYTES]
//
// Imports the checkpoint in-process (headers only, graph built and verified) and prints one
// JSON line: wall seconds, peak RSS, bytes read (rchar from /proc/self/io, measured around the
// import) and the metadata the checkpoint holds (config.json, the index, every shard's 8-byte
// length + header, tokenizer_config.json). With --max-read-overhead it exits 1 when the import
// read more than metadata + that many bytes: the proof that no tensor data is touched.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/Importer.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <sys/resource.h>

namespace {

uint64_t readChars() {
  std::ifstream io("/proc/self/io");
  std::string key;
  uint64_t value = 0;
  while (io >> key >> value)
    if (key == "rchar:")
      return value;
  return 0;
}

uint64_t fileSize(const std::string &path) {
  uint64_t size = 0;
  return llvm::sys::fs::file_size(path, size) ? 0 : size;
}

/// What a headers-only import must read, measured without the importer.
uint64_t metadataBytes(const std::string &dir) {
  uint64_t total = 0;
  for (const char *name : {"config.json", "model.safetensors.index.json", "tokenizer_config.json"})
    total += fileSize(dir + "/" + name);
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec)) {
    if (llvm::sys::path::extension(it->path()) != ".safetensors")
      continue;
    std::FILE *f = std::fopen(it->path().c_str(), "rb");
    unsigned char length[8] = {};
    if (f && std::fread(length, 1, 8, f) == 8) {
      uint64_t n = 0;
      for (int i = 7; i >= 0; --i)
        n = (n << 8) | length[i];
      total += 8 + n;
    }
    if (f)
      std::fclose(f);
  }
  return total;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2 && !(argc == 4 && std::strcmp(argv[2], "--max-read-overhead") == 0)) {
    llvm::errs() << "usage: kiln-import-bench <hf-dir> [--max-read-overhead BYTES]\n";
    return 2;
  }
  std::string dir = argv[1];
  uint64_t metadata = metadataBytes(dir);

  mlir::MLIRContext context;
  uint64_t readBefore = readChars();
  auto start = std::chrono::steady_clock::now();
  llvm::Expected<kiln::frontend::ImportResult> imported =
      kiln::frontend::importCheckpoint(context, dir);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t read = readChars() - readBefore;
  if (!imported) {
    llvm::errs() << "kiln-import-bench: error: " << llvm::toString(imported.takeError()) << "\n";
    return 1;
  }
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  uint64_t weights = 0;
  imported->module->walk([&](mlir::Operation *op) {
    weights += op->getName().getStringRef() == "kiln.weight";
  });
  llvm::outs() << llvm::formatv(
      "{{\"checkpoint\": \"{0}\", \"seconds\": {1:F3}, \"peak_rss_mib\": {2:F1}, "
      "\"bytes_read\": {3}, \"metadata_bytes\": {4}, \"weights\": {5}}\n",
      dir, seconds, usage.ru_maxrss / 1024.0, read, metadata, weights);
  if (argc == 4) {
    uint64_t overhead = std::stoull(argv[3]);
    if (read > metadata + overhead) {
      llvm::errs() << "kiln-import-bench: read " << read << " bytes, more than the "
                   << metadata << " bytes of metadata + " << overhead << "\n";
      return 1;
    }
  }
  return 0;
}
