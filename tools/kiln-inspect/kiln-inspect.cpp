// kiln-inspect - print a .kiln artifact's header: model, targets, ranks, sections, sizes, hashes.
//
//   kiln-inspect model.kiln [--sections] [--verify] [--json]
//
// A runtime tool: CLI11, no MLIR or LLVM. --verify hashes every section (what the runtime does
// lazily for the sections it uses); a corrupt artifact is one error line naming the file, exit 1.
#include "ArtifactReader.h"
#include "artifact_generated.h"

#include <CLI/CLI.hpp>

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

namespace {

std::string factText(const kiln::artifact::ModelFact &fact) {
  switch (fact.kind()) {
  case kiln::artifact::FactKind::Int:
    return std::to_string(fact.int_value());
  case kiln::artifact::FactKind::Bool:
    return fact.bool_value() ? "true" : "false";
  case kiln::artifact::FactKind::String: {
    std::string text = fact.string_value() ? fact.string_value()->str() : "";
    if (text.size() > 60)
      text = text.substr(0, 57) + "...";
    for (char &c : text)
      if (c == '\n')
        c = ' ';
    return "\"" + text + "\"";
  }
  }
  return "?";
}

int failWith(kiln_status_t status) {
  std::fprintf(stderr, "kiln-inspect: error: %s\n", kiln_status_message(status));
  kiln_status_free(status);
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"Print a Kiln artifact's header"};
  std::string path;
  bool listSections = false, verify = false;
  app.add_option("artifact", path, "the .kiln file")->required();
  app.add_flag("--sections", listSections, "list every section");
  app.add_flag("--verify", verify, "hash every section and compare with the header");
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<kiln::runtime::ArtifactReader> reader;
  if (kiln_status_t status = kiln::runtime::ArtifactReader::open(path, &reader))
    return failWith(status);
  const kiln::artifact::Artifact &header = reader->header();

  std::printf("artifact: %s\n", path.c_str());
  std::printf("format: %u.%u\n", reader->formatMajor(), reader->formatMinor());
  std::printf("required features:");
  if (header.required_features())
    for (const auto *feature : *header.required_features())
      std::printf(" %s", feature->c_str());
  std::printf("\nmodel:\n");
  if (header.model())
    for (const auto *fact : *header.model())
      std::printf("  %s = %s\n", fact->key()->c_str(), factText(*fact).c_str());
  std::printf("act scale rounding: %s\n",
              header.act_scale_rounding() ? header.act_scale_rounding()->c_str() : "none");
  std::printf("targets:");
  if (!header.targets() || header.targets()->size() == 0)
    std::printf(" none (weights only)");
  else
    for (const auto *target : *header.targets())
      std::printf(" %s", target->c_str());
  std::printf("\nranks: %u\n", header.ranks());
  uint64_t sectionBytes = 0;
  uint32_t sectionCount = header.sections() ? header.sections()->size() : 0;
  for (uint32_t i = 0; i < sectionCount; ++i)
    sectionBytes += header.sections()->Get(i)->size();
  std::printf("weights: %u\n", header.weights() ? header.weights()->size() : 0);
  std::printf("sections: %u, %" PRIu64 " bytes in a %" PRIu64 "-byte file\n", sectionCount,
              sectionBytes, reader->fileSize());
  std::printf("tokenizer: %s\n", header.tokenizer_section() >= 0 ? "tokenizer.json" : "none");
  if (const auto *kv = header.kv_layout())
    std::printf("kv cache: %s, %u layers x %u blocks of %u tokens, %" PRIu64
                " bytes/token (latent %u + rope %u), max_seq_len %u, max_batch %u\n",
                kv->dtype()->c_str(), kv->layers(), kv->num_blocks(), kv->block_size(),
                kv->bytes_per_token(), kv->latent(), kv->rope(), kv->max_seq_len(), kv->max_batch());
  if (header.code_targets())
    for (const auto *target : *header.code_targets()) {
      std::printf("target %s (%s): %u kernels, code section %d\n", target->name()->c_str(),
                  target->arch() ? target->arch()->c_str() : "?",
                  target->kernels() ? target->kernels()->size() : 0, target->code_section());
      if (target->plans())
        for (const auto *plan : *target->plans())
          std::printf("  plan %s rank %u: max_tokens %u, %u launches, arena %" PRIu64
                      " bytes (peak live %" PRIu64 ")\n",
                      plan->name()->c_str(), plan->rank(), plan->max_tokens(),
                      plan->launches() ? plan->launches()->size() : 0, plan->arena_bytes(),
                      plan->peak_live_bytes());
    }
  if (listSections)
    for (uint32_t i = 0; i < sectionCount; ++i) {
      const auto *s = header.sections()->Get(i);
      std::printf("  [%u] rank %u %-4s %-60s offset %" PRIu64 " size %" PRIu64
                  " xxh3 %016" PRIx64 "\n",
                  i, s->rank(), s->layout()->c_str(), s->name()->c_str(), s->offset(), s->size(),
                  s->xxh3());
    }
  if (verify) {
    for (uint32_t i = 0; i < sectionCount; ++i)
      if (kiln_status_t status = reader->verifySection(i))
        return failWith(status);
    std::printf("verified: %u sections\n", sectionCount);
  }
  return 0;
}
