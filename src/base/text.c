/*
 * Policy text: the "key value" lines in which shared policies are stored
 * (docs/data-model.md, "Policies").
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/internal.h"

void triage__text_init(triage__text *t, const triage_allocator_t *a)
{
    memset(t, 0, sizeof *t);
    t->a = a;
}

void triage__text_add(triage__text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = t->cap - t->n;
        int k = vsnprintf(t->p ? t->p + t->n : NULL, t->p ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            t->failed = 1;
            return;
        }
        if (t->p && (size_t)k < room) {
            t->n += (size_t)k;
            return;
        }
        void *p = t->p;
        if (triage__grow(t->a, &p, &t->cap, t->n + (size_t)k + 1, 1)) {
            t->failed = 1;
            return;
        }
        t->p = p;
    }
}

triage_status_t triage__text_end(triage__text *t)
{
    if (!t->failed)
        return TRIAGE_OK;
    triage__text_free(t);
    return triage__error(TRIAGE_ENOMEM, NULL, "out of memory");
}

void triage__text_free(triage__text *t)
{
    triage__free(t->a, t->p);
    t->p = NULL;
    t->n = t->cap = 0;
}

int triage__text_line(const char **pos, const char *end, char key[48], char value[256])
{
    const char *p = *pos;
    while (p < end && *p == '\n')
        p++;
    if (p >= end) {
        *pos = p;
        return 0;
    }
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
        eol = end;
    *pos = eol < end ? eol + 1 : end;
    for (const char *c = p; c < eol; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            return -1;
    const char *sp = memchr(p, ' ', (size_t)(eol - p));
    size_t klen = (size_t)((sp ? sp : eol) - p);
    size_t vlen = sp ? (size_t)(eol - sp - 1) : 0;
    if (klen == 0 || klen >= 48 || vlen >= 256)
        return -1;
    memcpy(key, p, klen);
    key[klen] = '\0';
    if (vlen)
        memcpy(value, sp + 1, vlen);
    value[vlen] = '\0';
    return 1;
}
