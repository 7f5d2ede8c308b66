/* Built instead of store_pg.c when the `postgresql` option is off or libpq is missing. */
#include "engine/engine_internal.h"

TRIAGE_API triage_status_t triage_store_postgresql(triage_store_t *out, const char *conninfo,
                                                   const triage_postgresql_options_t *opts)
{
    (void)out;
    (void)conninfo;
    (void)opts;
    return triage__error(TRIAGE_EINVAL, "postgresql",
                         "this libtriage was built without PostgreSQL");
}

TRIAGE_API int triage_store_postgresql_available(void)
{
    return 0;
}
