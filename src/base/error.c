/* The thread-local last error (docs/conventions.md rules 5-8). */
#include <stdio.h>
#include <string.h>

#include "base/internal.h"

#define MESSAGE_MAX TRIAGE__ERROR_MESSAGE_MAX
#define ARGUMENT_MAX TRIAGE__ERROR_ARGUMENT_MAX

typedef struct {
    triage_error_t pub;
    char message[MESSAGE_MAX];
    char argument[ARGUMENT_MAX];
} error_slot;

static _Thread_local error_slot tls_error = {
    {TRIAGE_OK, "no error", "", 0}, "no error", ""};
static _Thread_local bool tls_init;

static error_slot *slot(void)
{
    if (!tls_init) {
        tls_error.pub.message = tls_error.message;
        tls_error.pub.argument = tls_error.argument;
        tls_init = true;
    }
    return &tls_error;
}

static void copy_bounded(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memmove(dst, src, n); /* src may point into dst */
    dst[n] = '\0';
}

/*
 * Arguments may point into the last error itself (a caller that prefixes
 * the previous message, or passes the previous argument on): everything is
 * formatted into temporaries first and copied into the slot only then, so
 * the slot is never both read and written by one vsnprintf.
 */
static triage_status_t set_error(triage_status_t code, int32_t cause, const char *argument,
                                 const char *fmt, va_list ap)
{
    char message[MESSAGE_MAX], arg[ARGUMENT_MAX];
    copy_bounded(arg, sizeof arg, argument);
    if (!fmt || vsnprintf(message, sizeof message, fmt, ap) < 0)
        copy_bounded(message, sizeof message, triage_strerror(code));
    error_slot *e = slot();
    e->pub.code = code;
    e->pub.cause = cause;
    memcpy(e->argument, arg, sizeof arg);
    memcpy(e->message, message, sizeof message);
    return code;
}

void triage__error_save(triage__error_saved *out)
{
    const error_slot *e = slot();
    out->code = e->pub.code;
    out->cause = e->pub.cause;
    memcpy(out->message, e->message, sizeof out->message);
    memcpy(out->argument, e->argument, sizeof out->argument);
}

triage_status_t triage__error_restore(const triage__error_saved *saved)
{
    error_slot *e = slot();
    e->pub.code = saved->code;
    e->pub.cause = saved->cause;
    memcpy(e->message, saved->message, sizeof e->message);
    memcpy(e->argument, saved->argument, sizeof e->argument);
    return saved->code;
}

triage_status_t triage__error(triage_status_t code, const char *argument, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    triage_status_t rc = set_error(code, 0, argument, fmt, ap);
    va_end(ap);
    return rc;
}

triage_status_t triage__error_cause(triage_status_t code, int32_t cause, const char *argument,
                                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    triage_status_t rc = set_error(code, cause, argument, fmt, ap);
    va_end(ap);
    return rc;
}

triage_status_t triage__error_null(const char *argument)
{
    return triage__error(TRIAGE_EINVAL, argument, "%s must not be NULL", argument);
}

TRIAGE_API const triage_error_t *triage_error_last(void)
{
    return &slot()->pub;
}

TRIAGE_API void triage_error_clear(void)
{
    error_slot *e = slot();
    e->pub.code = TRIAGE_OK;
    e->pub.cause = 0;
    copy_bounded(e->message, sizeof e->message, "no error");
    e->argument[0] = '\0';
}

TRIAGE_API const char *triage_strerror(triage_status_t code)
{
    switch (code) {
    case TRIAGE_OK: return "no error";
    case TRIAGE_EINVAL: return "invalid argument";
    case TRIAGE_ENOMEM: return "out of memory";
    case TRIAGE_ENOTFOUND: return "not found";
    case TRIAGE_EEXISTS: return "already exists";
    case TRIAGE_ESTATE: return "transition not allowed";
    case TRIAGE_ERANGE: return "value out of range";
    case TRIAGE_EVERSION: return "unsupported version";
    case TRIAGE_ECONFLICT: return "conflict with stored data";
    case TRIAGE_ESTORE: return "storage callback failed";
    case TRIAGE_EUSER: return "stopped by a user callback";
    case TRIAGE_ECORRUPT: return "stored data is damaged or invalid";
    case TRIAGE_ITEROVER: return "end of iteration";
    }
    return "unknown error";
}
