/**
 * @file triage/id.h
 * @brief UUIDs identifying clients, cases, workers and events.
 *
 * libtriage never needs a name or a personal identity code: everyone and
 * everything is addressed by a random (version 4) UUID.
 */
#ifndef TRIAGE_ID_H
#define TRIAGE_ID_H

#include <triage/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A UUID as its 16 bytes in network order. A plain value: copy it freely. */
typedef struct triage_id {
    uint8_t bytes[16];
} triage_id_t;

/** Buffer size for triage_id_format(): 36 characters plus the terminator. */
#define TRIAGE_ID_STRLEN 37

/**
 * Generates a new random (version 4) UUID with libuuid.
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL for a NULL @p out.
 */
TRIAGE_API triage_status_t triage_id_generate(triage_id_t *out);

/**
 * Parses the canonical 36-character form
 * ("8-4-4-4-12" hexadecimal digits, either case, no braces or spaces).
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL argument or malformed text);
 *         @p out is unchanged on failure.
 */
TRIAGE_API triage_status_t triage_id_parse(triage_id_t *out, const char *text);

/**
 * Writes the canonical lower-case form into @p buf, NUL-terminated.
 * @param size the size of @p buf, at least ::TRIAGE_ID_STRLEN
 * @return ::TRIAGE_OK or ::TRIAGE_EINVAL (NULL argument or buffer too small).
 */
TRIAGE_API triage_status_t triage_id_format(char *buf, size_t size, const triage_id_t *id);

/** Orders ids bytewise: negative, 0 or positive. NULL sorts first. */
TRIAGE_API int triage_id_compare(const triage_id_t *a, const triage_id_t *b);

/** 1 when @p id is NULL or the all-zero (nil) UUID, else 0. */
TRIAGE_API int triage_id_is_nil(const triage_id_t *id);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_ID_H */
