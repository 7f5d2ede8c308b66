/*
 * No unit test may depend on today's date. Every test executable is linked
 * with -Wl,--wrap=clock_gettime, so the library's one read of the real-time
 * clock (the engine's default time source, used when a caller gives no
 * clock) sees this fixed instant instead: 2026-01-05 08:00 UTC, a Monday.
 * Other clocks (monotonic time for timeouts) pass through unchanged.
 */
#include <time.h>

int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts);

#define FIXED_NOW_S 1767600000 /* 2026-01-05T08:00:00Z */

int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
    if (id != CLOCK_REALTIME)
        return __real_clock_gettime(id, ts);
    ts->tv_sec = FIXED_NOW_S;
    ts->tv_nsec = 0;
    return 0;
}
