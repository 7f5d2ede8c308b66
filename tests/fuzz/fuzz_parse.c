/*
 * Fuzz target: date and UUID parsing. Any text is parsed or refused; what
 * parses formats back to the same text (dates exactly, ids up to case).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <triage/triage.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char text[257];
    memcpy(text, data, size);
    text[size] = '\0';
    triage_date_t d = 12345;
    if (triage_date_parse(&d, text) == TRIAGE_OK) {
        char buf[TRIAGE_DATE_STRLEN];
        if (triage_date_format(buf, sizeof buf, d) != TRIAGE_OK || strcmp(buf, text) != 0)
            abort();
        int y, m, day;
        triage_weekday_t w;
        if (triage_date_to_ymd(&y, &m, &day, d) != TRIAGE_OK ||
            triage_date_weekday(&w, d) != TRIAGE_OK)
            abort();
    } else if (d != 12345) {
        abort(); /* out untouched on failure */
    }
    triage_id_t id;
    memset(&id, 0x5a, sizeof id);
    if (triage_id_parse(&id, text) == TRIAGE_OK) {
        char buf[TRIAGE_ID_STRLEN];
        if (triage_id_format(buf, sizeof buf, &id) != TRIAGE_OK || strcasecmp(buf, text) != 0)
            abort();
    } else {
        for (size_t i = 0; i < sizeof id.bytes; i++)
            if (id.bytes[i] != 0x5a)
                abort();
    }
    /* Local time both ways on any 8 bytes. */
    if (size >= 8) {
        int64_t t;
        memcpy(&t, data, sizeof t);
        triage_date_t ld;
        int32_t minute;
        if (triage_local_time(&ld, &minute, t) == TRIAGE_OK) {
            int64_t early, late;
            if (triage_local_to_utc(&early, ld, minute, TRIAGE_LOCAL_EARLIER) != TRIAGE_OK ||
                triage_local_to_utc(&late, ld, minute, TRIAGE_LOCAL_LATER) != TRIAGE_OK)
                abort();
            int64_t m0 = t - ((t % 60000) + 60000) % 60000; /* t to the minute */
            if (m0 != early && m0 != late)
                abort();
        }
    }
    return 0;
}
