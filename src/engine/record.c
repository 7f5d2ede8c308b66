/*
 * The record encoding stores receive: a 12-byte header (magic "TRGR",
 * schema version, record kind, payload length; little-endian) followed by
 * the record's fixed-width fields as laid out in memory. Every record type
 * holds only fixed-width integers, doubles and byte arrays, is zeroed before
 * use (no stray padding bytes) and has one layout on the little-endian
 * LP64 ABIs libtriage supports; the header lets a later version migrate it.
 */
#include <string.h>

#include "engine/engine_internal.h"

_Static_assert(sizeof(triage__case_rec) % 8 == 0, "case record is padded to 8");

static void put_u16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    put_u16(p, v & 0xffff);
    put_u16(p + 2, v >> 16);
}

static uint32_t get_u16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get_u32(const unsigned char *p)
{
    return get_u16(p) | get_u16(p + 2) << 16;
}

size_t triage__record_size(const triage__table *t)
{
    return TRIAGE__RECORD_HEADER + t->elem;
}

void triage__record_encode(void *buf, const triage__table *t, const void *rec)
{
    unsigned char *p = buf;
    memcpy(p, "TRGR", 4);
    put_u16(p + 4, TRIAGE_STORE_SCHEMA_VERSION);
    put_u16(p + 6, (uint32_t)t->kind);
    put_u32(p + 8, (uint32_t)t->elem);
    memcpy(p + TRIAGE__RECORD_HEADER, rec, t->elem);
}

static triage_status_t check_header(const unsigned char *p, size_t len, uint32_t kind,
                                    size_t *payload)
{
    if (len < TRIAGE__RECORD_HEADER || memcmp(p, "TRGR", 4) != 0)
        return triage__error(TRIAGE_EINVAL, "data", "not a libtriage record");
    if (get_u16(p + 4) > TRIAGE_STORE_SCHEMA_VERSION)
        return triage__error(TRIAGE_EVERSION, "data",
                             "the record was written by a newer libtriage schema (%u > %d)",
                             (unsigned)get_u16(p + 4), TRIAGE_STORE_SCHEMA_VERSION);
    if (get_u16(p + 4) == 0 || get_u16(p + 6) != kind)
        return triage__error(TRIAGE_EINVAL, "data", "record kind or version mismatch");
    *payload = get_u32(p + 8);
    if (*payload != len - TRIAGE__RECORD_HEADER)
        return triage__error(TRIAGE_EINVAL, "data", "record length mismatch");
    return TRIAGE_OK;
}

triage_status_t triage__record_decode(void *rec, const triage__table *t, const void *data,
                                      size_t len)
{
    size_t payload;
    triage_status_t rc = check_header(data, len, (uint32_t)t->kind, &payload);
    if (rc)
        return rc;
    if (payload != t->elem)
        return triage__error(TRIAGE_EINVAL, "data", "record length mismatch");
    memcpy(rec, (const unsigned char *)data + TRIAGE__RECORD_HEADER, t->elem);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_record_decode(void *out, triage_record_kind_t kind,
                                                const void *data, size_t len)
{
    if (!out)
        return triage__error_null("out");
    if (!data)
        return triage__error_null("data");
    size_t pub;
    switch (kind) {
    case TRIAGE_RECORD_CLIENT: pub = sizeof(triage_client_t); break;
    case TRIAGE_RECORD_CASE: pub = sizeof(triage_case_t); break;
    case TRIAGE_RECORD_WORKER: pub = sizeof(triage_worker_t); break;
    default: return triage__error(TRIAGE_EINVAL, "kind", "this record kind has no public struct");
    }
    size_t payload;
    triage_status_t rc = check_header(data, len, (uint32_t)kind, &payload);
    if (rc)
        return rc;
    if (payload < pub)
        return triage__error(TRIAGE_EINVAL, "data", "record too short");
    /* The public struct is the first member of every internal record. */
    memcpy(out, (const unsigned char *)data + TRIAGE__RECORD_HEADER, pub);
    return TRIAGE_OK;
}

void triage__keys_client(const void *rec, triage_record_keys_t *k)
{
    (void)rec;
    memset(k, 0, sizeof *k);
}

void triage__keys_case(const void *rec, triage_record_keys_t *k)
{
    const triage_case_t *c = rec;
    memset(k, 0, sizeof *k);
    k->owner = c->client;
    k->stage = (int32_t)c->stage;
    k->reason = (int32_t)c->closing_reason;
    k->date_from = c->received;
}

void triage__keys_worker(const void *rec, triage_record_keys_t *k)
{
    const triage_worker_t *w = rec;
    memset(k, 0, sizeof *k);
    k->role = (int32_t)w->role;
}

void triage__keys_absence(const void *rec, triage_record_keys_t *k)
{
    const triage__absence_rec *a = rec;
    memset(k, 0, sizeof *k);
    k->owner = a->worker;
    k->date_from = a->start;
    k->date_to = a->end;
}
