/*
 * Fuzz target: the `triage` command's argument and JSON input. The CLI's
 * own source (examples/cli/triage.c) is compiled into this target with its
 * main() renamed to triage_cli_main (-Dmain=triage_cli_main), so exactly its
 * parsing runs, unchanged.
 *
 * Input: arguments separated by NUL bytes, an empty argument (two NULs) ends
 * them, the rest is standard input (the JSON that `classify` reads). Only
 * commands that touch no file run (date-info, deadlines, classify, --help,
 * --version and unknown ones): report, check and simulate take paths.
 * The CLI prints; tests/fuzz/run.sh passes -close_fd_mask=3 so its output
 * does not flood the log (libFuzzer keeps its own).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int triage_cli_main(int argc, char **argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *copy = malloc(size + 2);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = copy[size + 1] = '\0';
    char *argv[34];
    int argc = 0;
    argv[argc++] = (char *)"triage";
    size_t at = 0;
    while (at < size && argc < 33) {
        size_t n = strlen(copy + at);
        if (n == 0) { /* the empty argument: stdin follows */
            at++;
            break;
        }
        argv[argc++] = copy + at;
        at += n + 1;
    }
    argv[argc] = NULL;
    if (argc > 1 && (!strcmp(argv[1], "report") || !strcmp(argv[1], "check") ||
                     !strcmp(argv[1], "simulate"))) {
        free(copy);
        return 0;
    }
    size_t in_len = at < size ? size - at : 0;
    FILE *in = fmemopen(in_len ? copy + at : (void *)"", in_len ? in_len : 1, "r");
    if (!in)
        abort();
    if (!in_len)
        fgetc(in); /* an empty stdin: at end of file */
    FILE *saved = stdin;
    stdin = in;
    int rc = triage_cli_main(argc, argv);
    stdin = saved;
    fclose(in);
    if (rc < 0 || rc > 2)
        abort(); /* the documented exit codes: 0, 1, 2 */
    free(copy);
    return 0;
}
