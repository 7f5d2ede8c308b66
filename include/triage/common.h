/**
 * @file triage/common.h
 * @brief Export macro, status codes, the error model and the allocator hook.
 *
 * Every fallible libtriage function returns a ::triage_status_t. On failure the
 * calling thread's last error (triage_error_last()) says what went wrong: the
 * code, a message in English that never contains client data, and the name of
 * the offending argument or rule.
 */
#ifndef TRIAGE_COMMON_H
#define TRIAGE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a declaration as part of the public ABI. */
#if defined(SWIG)
#  define TRIAGE_API
#elif defined(_WIN32)
#  define TRIAGE_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define TRIAGE_API __attribute__((visibility("default")))
#else
#  define TRIAGE_API
#endif

/**
 * Status codes. Values are part of the ABI and are never renumbered;
 * new codes are only appended.
 */
typedef enum triage_status {
    TRIAGE_OK        = 0,   /**< success */
    TRIAGE_EINVAL    = -1,  /**< an argument is invalid (the last error names it) */
    TRIAGE_ENOMEM    = -2,  /**< an allocation failed; nothing was changed */
    TRIAGE_ENOTFOUND = -3,  /**< no object with that id */
    TRIAGE_EEXISTS   = -4,  /**< an object with that id already exists */
    TRIAGE_ESTATE    = -5,  /**< a forbidden state transition (the last error names the rule) */
    TRIAGE_ERANGE    = -6,  /**< a value is outside the supported range */
    TRIAGE_EVERSION  = -7,  /**< a struct or store version is not supported */
    TRIAGE_ECONFLICT = -8,  /**< the operation conflicts with valid stored data (or lost a race:
                                 retry); damaged data is ::TRIAGE_ECORRUPT */
    TRIAGE_ESTORE    = -9,  /**< a storage callback failed; its own code is in the last error */
    TRIAGE_EUSER     = -10, /**< a user callback asked to stop */
    TRIAGE_ECORRUPT  = -11, /**< stored data is damaged or invalid (the last error names the
                                 record kind and field); never retry: repair or restore */
    TRIAGE_ITEROVER  = -31  /**< end of iteration (not an error) */
} triage_status_t;

/**
 * The last error of the calling thread. Returned by triage_error_last();
 * the pointer and its strings stay valid until the next libtriage call on
 * the same thread.
 */
typedef struct triage_error {
    triage_status_t code;   /**< the status of the failed call, TRIAGE_OK when none */
    const char *message;    /**< a human-readable message, never NULL, never client data */
    const char *argument;   /**< offending argument, field or rule name; "" when none */
    int32_t cause;          /**< for TRIAGE_ESTORE/TRIAGE_EUSER: the callback's own code, else 0 */
} triage_error_t;

/**
 * Returns the calling thread's last error. Never NULL: when no call has
 * failed since the last triage_error_clear(), the code is ::TRIAGE_OK.
 * Successful calls do not clear it.
 */
TRIAGE_API const triage_error_t *triage_error_last(void);

/** Resets the calling thread's last error to ::TRIAGE_OK. */
TRIAGE_API void triage_error_clear(void);

/**
 * Returns a static English description of a status code. Unknown codes give
 * "unknown error". Never NULL.
 */
TRIAGE_API const char *triage_strerror(triage_status_t code);

/**
 * A custom allocator (zstd style). Pass it in the options struct of the
 * object that should use it. All three functions must be set, or all NULL
 * for the C library's allocator. `free` must accept NULL.
 */
typedef struct triage_allocator {
    void *(*malloc)(void *userdata, size_t size);
    void *(*realloc)(void *userdata, void *ptr, size_t size);
    void (*free)(void *userdata, void *ptr);
    void *userdata;
} triage_allocator_t;

/**
 * Frees a string or array that libtriage returned as owned (documented at
 * each function). It is released with the allocator that created it.
 * NULL is a no-op.
 */
TRIAGE_API void triage_free(void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_COMMON_H */
