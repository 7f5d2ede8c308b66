/*
 * Fuzz target: the scenario parser (docs/simulation.md). Any text either
 * parses or is refused with a status; a scenario that parses writes out
 * text that parses again to the same text (write -> parse -> write is
 * stable).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <triage/sim.h>
#include <triage/triage.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    triage_scenario_t *sc = NULL;
    if (triage_scenario_parse(&sc, text, "fuzz.scn", NULL) == TRIAGE_OK) {
        char *first = NULL, *second = NULL;
        triage_scenario_t *again = NULL;
        if (triage_scenario_write(&first, sc) != TRIAGE_OK)
            abort(); /* a parsed scenario always writes */
        if (triage_scenario_parse(&again, first, "written.scn", NULL) != TRIAGE_OK)
            abort(); /* what the library writes, it reads */
        if (triage_scenario_write(&second, again) != TRIAGE_OK)
            abort();
        if (strcmp(first, second) != 0)
            abort(); /* write -> parse -> write is stable */
        triage_free(first);
        triage_free(second);
        triage_scenario_free(again);
    } else if (sc) {
        abort(); /* out untouched on failure */
    }
    triage_scenario_free(sc);
    free(text);
    return 0;
}
