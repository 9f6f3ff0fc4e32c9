/* kiln_runtime.h - the C API of Kiln's runtime.
 *
 * Errors cross this boundary as status values, never as exceptions: a function that can fail
 * returns a kiln_status_t, which is NULL on success and otherwise owns a code and a message
 * (one line, naming the file and the problem) until kiln_status_free. */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(KILN_RUNTIME_BUILDING)
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif

/* Status codes; OK is zero. */
typedef enum kiln_status_code_e {
  KILN_STATUS_OK = 0,
  KILN_STATUS_INVALID_ARGUMENT = 1,  /* bad input: malformed file, wrong flag value */
  KILN_STATUS_NOT_FOUND = 2,         /* a file, section or symbol that is not there */
  KILN_STATUS_UNAVAILABLE = 3,       /* a device or library this host does not have */
  KILN_STATUS_RESOURCE_EXHAUSTED = 4,/* a capacity limit or a failed allocation */
  KILN_STATUS_DATA_LOSS = 5,         /* a corrupt artifact: bad hash, truncated section */
  KILN_STATUS_UNIMPLEMENTED = 6,     /* a feature this runtime does not know */
  KILN_STATUS_INTERNAL = 7,          /* a bug in Kiln */
} kiln_status_code_t;

/* NULL means OK. */
typedef struct kiln_status_s *kiln_status_t;

/* A new status with `code` and a copy of `message`; NULL when code is KILN_STATUS_OK. */
KILN_API kiln_status_t kiln_status_make(kiln_status_code_t code, const char *message);
/* KILN_STATUS_OK for NULL. */
KILN_API kiln_status_code_t kiln_status_code(kiln_status_t status);
/* "" for NULL; valid until kiln_status_free. */
KILN_API const char *kiln_status_message(kiln_status_t status);
/* The code's name, e.g. "INVALID_ARGUMENT"; "UNKNOWN" for values outside the enum. */
KILN_API const char *kiln_status_code_name(kiln_status_code_t code);
/* Accepts NULL. */
KILN_API void kiln_status_free(kiln_status_t status);

/* The runtime's version, and the newest artifact format major.minor it reads. */
typedef struct kiln_version_s {
  int32_t major, minor, patch;
  int32_t artifact_major, artifact_minor;
} kiln_version_t;
KILN_API kiln_version_t kiln_runtime_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H */
