// status.cpp - status values of the C API.
#include "kiln_runtime.h"

#include <new>
#include <string>

struct kiln_status_s {
  kiln_status_code_t code;
  std::string message;
};

namespace {
// Returned when allocating a status fails: callers still see a non-OK status and a message,
// and kiln_status_free recognises it and does not delete it.
kiln_status_s outOfMemoryStatus{KILN_STATUS_RESOURCE_EXHAUSTED,
                                "out of memory while reporting an error"};
} // namespace

kiln_status_t kiln_status_make(kiln_status_code_t code, const char *message) {
  if (code == KILN_STATUS_OK)
    return nullptr;
  try {
    return new kiln_status_s{code, message ? message : ""};
  } catch (const std::bad_alloc &) {
    return &outOfMemoryStatus;
  }
}

kiln_status_code_t kiln_status_code(kiln_status_t status) {
  return status ? status->code : KILN_STATUS_OK;
}

const char *kiln_status_message(kiln_status_t status) {
  return status ? status->message.c_str() : "";
}

const char *kiln_status_code_name(kiln_status_code_t code) {
  switch (code) {
  case KILN_STATUS_OK: return "OK";
  case KILN_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
  case KILN_STATUS_NOT_FOUND: return "NOT_FOUND";
  case KILN_STATUS_UNAVAILABLE: return "UNAVAILABLE";
  case KILN_STATUS_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
  case KILN_STATUS_DATA_LOSS: return "DATA_LOSS";
  case KILN_STATUS_UNIMPLEMENTED: return "UNIMPLEMENTED";
  case KILN_STATUS_INTERNAL: return "INTERNAL";
  case KILN_STATUS_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
  }
  return "UNKNOWN";
}

void kiln_status_free(kiln_status_t status) {
  if (status != &outOfMemoryStatus)
    delete status;
}
