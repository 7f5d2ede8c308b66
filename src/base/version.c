#include "base/internal.h"

TRIAGE_API uint32_t triage_version(void)
{
    return TRIAGE_VERSION_NUMBER;
}

TRIAGE_API const char *triage_version_string(void)
{
    return TRIAGE_VERSION_STRING;
}
