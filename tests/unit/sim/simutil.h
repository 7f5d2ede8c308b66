/* Helpers for the simulation tests: the path of a file of the repository. */
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

#endif
