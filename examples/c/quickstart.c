/* The README's C example: parse a date, print its weekday, handle an error. */
#include <stdio.h>
#include <triage/triage.h>

int main(void)
{
    triage_date_t d;
    if (triage_date_parse(&d, "2026-11-23") != TRIAGE_OK)
        return 1;
    triage_weekday_t w;
    triage_date_weekday(&w, d);
    printf("libtriage %s: 2026-11-23 is ISO weekday %d\n", triage_version_string(), (int)w);
    if (triage_date_from_ymd(&d, 2026, 2, 30) != TRIAGE_OK)
        printf("rejected: %s (%s)\n", triage_error_last()->message, triage_error_last()->argument);
    return 0;
}
