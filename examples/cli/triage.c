/*
 * triage — command-line front end of libtriage.
 *
 * A client of the library like any other: it includes only <triage/triage.h>
 * and links the shared library. Exit codes: 0 success, 1 a library call
 * failed at run time, 2 bad arguments or input.
 */
#include <stdio.h>
#include <string.h>

#include <triage/triage.h>

#define EXIT_USAGE 2

static const char *prog = "triage";

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: %s [--help] [--version] COMMAND [ARGS]\n"
            "\n"
            "Commands:\n"
            "  date-info DATE      weekday of an ISO date (YYYY-MM-DD)\n"
            "\n"
            "Options:\n"
            "  -h, --help          show this help and exit\n"
            "  -V, --version       show the library version and exit\n",
            prog);
}

static int fail_usage(const char *what, const char *detail)
{
    fprintf(stderr, "%s: %s%s%s (try '%s --help')\n", prog, what, detail ? ": " : "",
            detail ? detail : "", prog);
    return EXIT_USAGE;
}

static int cmd_date_info(int argc, char **argv)
{
    if (argc != 2)
        return fail_usage("date-info takes exactly one DATE", NULL);
    triage_date_t d;
    if (triage_date_parse(&d, argv[1]) != TRIAGE_OK)
        return fail_usage("invalid DATE", triage_error_last()->message);
    static const char *names[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday",
                                  "Friday", "Saturday", "Sunday"};
    triage_weekday_t w;
    if (triage_date_weekday(&w, d) != TRIAGE_OK) {
        fprintf(stderr, "%s: %s\n", prog, triage_error_last()->message);
        return 1;
    }
    printf("%s %s\n", argv[1], names[w]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf("triage (libtriage) %s\n", triage_version_string());
        if (triage_version() != TRIAGE_VERSION_NUMBER)
            fprintf(stderr, "%s: warning: built against headers %s\n", prog,
                    TRIAGE_VERSION_STRING);
        return 0;
    }
    if (!strcmp(cmd, "date-info"))
        return cmd_date_info(argc - 1, argv + 1);
    if (cmd[0] == '-')
        return fail_usage("unknown option", cmd);
    return fail_usage("unknown command", cmd);
}
