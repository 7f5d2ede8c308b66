/* The README's C example: a statutory deadline over Christmas, a support-need
 * classification, and the error model. */
#include <stdio.h>
#include <triage/triage.h>

int main(void)
{
    triage_calendar_t *fi;
    triage_date_t contact, due;
    if (triage_calendar_new_finland(&fi, NULL) != TRIAGE_OK)
        return 1;
    triage_date_parse(&contact, "2026-12-22");
    triage_calendar_add_business_days(&due, fi, contact, 7); /* SHL 36 §: 7th business day */
    char text[TRIAGE_DATE_STRLEN];
    triage_date_format(text, sizeof text, due);
    printf("libtriage %s: the assessment must start by %s\n", triage_version_string(), text);

    triage_scores_t s = {0};
    s.need[TRIAGE_NEED_HOUSING] = 3;
    s.capacity[TRIAGE_CAPACITY_PSYCHIATRIC] = 2;
    triage_classification_t k;
    triage_classify(&k, NULL, &s);
    printf("quadrant %s, special support %d\n", triage_quadrant_name(k.quadrant),
           k.special_support);

    if (triage_date_from_ymd(&due, 2026, 2, 30) != TRIAGE_OK)
        printf("rejected: %s (%s)\n", triage_error_last()->message, triage_error_last()->argument);
    triage_calendar_free(fi);
    return 0;
}
