/*
 * The one allocation layer of the library (docs/conventions.md rule 16). Each
 * object carries the allocator from its options struct; NULL means the C
 * library. Tests install an allocator that fails the Nth call.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "base/internal.h"

static bool is_custom(const triage_allocator_t *a)
{
    return a && a->malloc;
}

triage_status_t triage__allocator_check(const triage_allocator_t *a, const char *argument)
{
    if (!a)
        return TRIAGE_OK;
    int set = (a->malloc != NULL) + (a->realloc != NULL) + (a->free != NULL);
    if (set != 0 && set != 3)
        return triage__error(TRIAGE_EINVAL, argument,
                             "an allocator needs malloc, realloc and free, or none of them");
    return TRIAGE_OK;
}

static void *oom(void)
{
    triage__error(TRIAGE_ENOMEM, NULL, "out of memory");
    return NULL;
}

void *triage__malloc(const triage_allocator_t *a, size_t size)
{
    if (size == 0)
        size = 1;
    void *p = is_custom(a) ? a->malloc(a->userdata, size) : malloc(size);
    return p ? p : oom();
}

void *triage__calloc(const triage_allocator_t *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return oom();
    size_t total = count * size;
    void *p = triage__malloc(a, total);
    if (p && total)
        memset(p, 0, total);
    return p;
}

void *triage__realloc(const triage_allocator_t *a, void *ptr, size_t size)
{
    if (size == 0)
        size = 1;
    void *p = is_custom(a) ? a->realloc(a->userdata, ptr, size) : realloc(ptr, size);
    return p ? p : oom();
}

triage_status_t triage__grow(const triage_allocator_t *a, void **arr, size_t *cap, size_t need,
                             size_t elem)
{
    if (need <= *cap)
        return TRIAGE_OK;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return triage__error(TRIAGE_ENOMEM, NULL, "out of memory");
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        return triage__error(TRIAGE_ENOMEM, NULL, "out of memory");
    void *p = triage__realloc(a, *arr, ncap * elem);
    if (!p)
        return TRIAGE_ENOMEM;
    *arr = p;
    *cap = ncap;
    return TRIAGE_OK;
}

void triage__free(const triage_allocator_t *a, void *ptr)
{
    if (!ptr)
        return;
    if (is_custom(a))
        a->free(a->userdata, ptr);
    else
        free(ptr);
}

/* Owned memory: a header that remembers the allocator, padded for alignment. */
typedef union {
    triage_allocator_t alloc;
    max_align_t align;
} owned_header;

void *triage__owned_alloc(const triage_allocator_t *a, size_t size)
{
    if (size > SIZE_MAX - sizeof(owned_header))
        return oom();
    owned_header *h = triage__malloc(a, sizeof *h + size);
    if (!h)
        return NULL;
    memset(&h->alloc, 0, sizeof h->alloc);
    if (is_custom(a))
        h->alloc = *a;
    return h + 1;
}

char *triage__owned_strdup(const triage_allocator_t *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = triage__owned_alloc(a, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

TRIAGE_API void triage_free(void *ptr)
{
    if (!ptr)
        return;
    owned_header *h = (owned_header *)ptr - 1;
    triage_allocator_t a = h->alloc;
    triage__free(&a, h);
}

void *triage__object_clone(const triage_allocator_t *a, const void *src, size_t size,
                           size_t alloc_off)
{
    unsigned char *p = triage__malloc(a, size);
    if (!p)
        return NULL;
    memcpy(p, src, size);
    triage_allocator_t keep;
    memset(&keep, 0, sizeof keep);
    if (is_custom(a))
        keep = *a;
    memcpy(p + alloc_off, &keep, sizeof keep);
    return p;
}

bool triage__label_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (c < 0x20 || c > 0x7e || n >= 31)
            return false;
    }
    return n >= 1;
}

size_t triage__version_size(uint32_t version, const size_t *sizes, size_t nversions,
                            const char *name)
{
    if (version == 0 || version > nversions) {
        triage__error(TRIAGE_EVERSION, name, "unsupported struct version %u (this library knows 1-%zu)",
                      (unsigned)version, nversions);
        return 0;
    }
    return sizes[version - 1];
}

size_t triage__out_size(const void *out, const size_t *sizes, size_t nversions, const char *name)
{
    if (!out) {
        triage__error_null("out");
        return 0;
    }
    uint32_t version;
    memcpy(&version, out, sizeof version);
    return triage__version_size(version, sizes, nversions, name);
}
