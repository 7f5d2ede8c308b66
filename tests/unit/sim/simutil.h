/* Helpers for the simulation tests: the path of a file of the repository,
 * a scenario file loaded, and a parser error that names its line and key. Include after testutil.h. */
#ifndef TRIAGE_SIMUTIL_H
#define TRIAGE_SIMUTIL_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The path of `rel` (e.g. "examples/scenarios/north-savo.scn") in the
 * repository, found from this header's path: meson compiles with paths
 * relative to the build directory, where the tests run; from elsewhere the
 * path is taken from the executable's place in the build directory. */
static inline void sim_repo_path(char *out, size_t size, const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s", __FILE__);
    char *cut = strstr(path, "tests/unit/sim/simutil.h");
    if (!cut) {
        snprintf(out, size, "%s", rel);
        return;
    }
    snprintf(cut, sizeof path - (size_t)(cut - path), "%s", rel);
    if (path[0] != '/' && access(path, R_OK) != 0) {
        char exe[256];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            for (int up = 0; up < 3; up++) {
                char *slash = strrchr(exe, '/');
                if (slash)
                    *slash = '\0';
            }
            snprintf(out, size, "%s/%s", exe, path);
            return;
        }
    }
    snprintf(out, size, "%s", path);
}

/* The scenario file `rel` of the repository, loaded (the test fails if not). */
static inline triage_scenario_t *sim_load(const char *rel)
{
    char path[1024];
    sim_repo_path(path, sizeof path, rel);
    triage_scenario_t *s = NULL;
    assert_ok(triage_scenario_load(&s, path, NULL));
    return s;
}

/* Parsing `text` (as "t.scn") fails with EINVAL, the last error's argument
 * is `arg` ("line N: key"), the message starts with the file's name, and the
 * output is left untouched. `row` is for the failure message. */
static inline void sim_expect_parse_error(const char *text, const char *arg, size_t row)
{
    triage_scenario_t *s = (triage_scenario_t *)&s;
    triage_status_t rc = triage_scenario_parse(&s, text, "t.scn", NULL);
    if (rc != TRIAGE_EINVAL)
        fail_msg("row %zu: status %d", row, (int)rc);
    if (strcmp(triage_error_last()->argument, arg))
        fail_msg("row %zu: argument '%s', expected '%s' (%s)", row, triage_error_last()->argument,
                 arg, triage_error_last()->message);
    assert_true(strncmp(triage_error_last()->message, "t.scn:", 6) == 0);
    assert_ptr_equal(s, (triage_scenario_t *)&s); /* untouched */
}

#endif
