/* Built instead of store_sqlite.c when the `sqlite` option is disabled. */
#include "engine/engine_internal.h"

TRIAGE_API triage_status_t triage_store_sqlite(triage_store_t *out, const char *path,
                                               const triage_sqlite_options_t *opts)
{
    (void)out;
    (void)path;
    (void)opts;
    return triage__error(TRIAGE_EINVAL, "sqlite", "this libtriage was built without SQLite");
}

TRIAGE_API int triage_store_sqlite_available(void)
{
    return 0;
}
