// BundleManifest.cpp - reading a bundle's manifest.txt; every error names the file and line.
#include "BundleManifest.h"

#include "Status.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kiln::kerneltest {
namespace {

std::vector<std::string> splitFields(const std::string &line) {
  std::istringstream stream(line);
  std::vector<std::string> fields;
  for (std::string field; stream >> field;)
    fields.push_back(field);
  return fields;
}

bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() > suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool parseShape(const std::string &text, std::vector<int64_t> *shape) {
  shape->clear();
  std::string::size_type start = 0;
  while (true) {
    std::string::size_type end = text.find('x', start);
    std::string dim =
        text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (dim.empty() || dim.size() > 12)
      return false;
    for (char c : dim)
      if (!std::isdigit(static_cast<unsigned char>(c)))
        return false;
    int64_t value = std::stoll(dim);
    if (value <= 0)
      return false;
    shape->push_back(value);
    if (end == std::string::npos)
      return true;
    start = end + 1;
  }
}

bool isIdentifier(const std::string &text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0])))
    return false;
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$' && c != '.')
      return false;
  return true;
}

bool isDirectory(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

} // namespace

kiln_status_t parseBundleManifest(const std::string &path, const std::string &text,
                                  BundleManifest *manifest) {
  manifest->path = path;
  std::string::size_type slash = path.rfind('/');
  manifest->directory = slash == std::string::npos ? "." : path.substr(0, slash);
  manifest->entries.clear();

  auto error = [&](int line, const std::string &problem) {
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      path + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                          problem);
  };

  std::istringstream stream(text);
  bool sawHeader = false;
  int lineNumber = 0;
  for (std::string line; std::getline(stream, line);) {
    ++lineNumber;
    if (std::string::size_type hash = line.find('#'); hash != std::string::npos)
      line.resize(hash);
    std::vector<std::string> fields = splitFields(line);
    if (fields.empty())
      continue;

    if (!sawHeader) {
      if (fields[0] != kManifestHeader || fields.size() != 2)
        return error(lineNumber, std::string("expected the header '") + kManifestHeader + " " +
                                     std::to_string(kManifestVersion) + "' first, got '" +
                                     fields[0] + (fields.size() > 1 ? " ..." : "") + "'");
      if (fields[1] != std::to_string(kManifestVersion))
        return error(lineNumber, "manifest version " + fields[1] +
                                     " is not supported (this kiln-kernel-test reads version " +
                                     std::to_string(kManifestVersion) + ")");
      sawHeader = true;
      continue;
    }

    if (fields.size() != 5)
      return error(lineNumber, "expected 5 fields (file target kernel check shape), got " +
                                   std::to_string(fields.size()));
    ManifestEntry entry;
    entry.line = lineNumber;
    entry.file = fields[0];
    entry.targetName = fields[1];
    entry.kernel = fields[2];
    entry.check = fields[3];
    entry.shapeText = fields[4];
    // The bundle travels as one directory: its files must stay inside it.
    if (entry.file[0] == '/' || entry.file.find("..") != std::string::npos)
      return error(lineNumber,
                   "file '" + entry.file + "' must be a relative path inside the bundle");
    if (endsWith(entry.file, ".cubin"))
      entry.kind = ImageKind::Cubin;
    else if (endsWith(entry.file, ".ptx"))
      entry.kind = ImageKind::Ptx;
    else
      return error(lineNumber, "file '" + entry.file + "' must end in .cubin or .ptx");
    if (!parseGpuTarget(entry.targetName, &entry.target))
      return error(lineNumber,
                   "target '" + entry.targetName + "' is not of the form sm_XY or sm_XYa");
    if (!isIdentifier(entry.kernel))
      return error(lineNumber, "kernel '" + entry.kernel + "' is not a symbol name");
    if (!isIdentifier(entry.check))
      return error(lineNumber, "check '" + entry.check + "' is not a name");
    if (!parseShape(entry.shapeText, &entry.shape))
      return error(lineNumber, "shape '" + entry.shapeText +
                                   "' is not positive integers joined by 'x' (e.g. 1024x512)");
    manifest->entries.push_back(std::move(entry));
  }
  if (!sawHeader)
    return error(0, std::string("empty manifest, expected the header '") + kManifestHeader + " " +
                        std::to_string(kManifestVersion) + "'");
  if (manifest->entries.empty())
    return error(0, "the manifest lists no kernels");
  return nullptr;
}

kiln_status_t readWholeFile(const std::string &path, std::string *contents) {
  std::ifstream file(path, std::ios::binary);
  if (!file || isDirectory(path))
    return makeStatus(
        KILN_STATUS_NOT_FOUND,
        path + ": cannot read: " + (isDirectory(path) ? "is a directory" : std::strerror(errno)));
  std::ostringstream buffer;
  buffer << file.rdbuf();
  if (file.bad())
    return makeStatus(KILN_STATUS_NOT_FOUND, path + ": cannot read: " + std::strerror(errno));
  *contents = buffer.str();
  return nullptr;
}

kiln_status_t readBundleManifest(const std::string &pathOrDirectory, BundleManifest *manifest) {
  std::string path = pathOrDirectory;
  if (isDirectory(path)) {
    while (path.size() > 1 && path.back() == '/')
      path.pop_back();
    path += std::string("/") + kManifestName;
  }
  std::string text;
  if (kiln_status_t status = readWholeFile(path, &text))
    return status;
  return parseBundleManifest(path, text, manifest);
}

} // namespace kiln::kerneltest
