/*
 * The portable record encoding (schema 2). See codec.h and
 * docs/data-model.md for the format.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/codec.h"

/* ---- CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) ---------------- */

/* The table for the reflected polynomial 0x82F63B78, one entry per byte value
 * (entry i is the CRC of the single byte i, without the pre- and post-inversion). */
static const uint32_t crc_table[256] = {
    0x00000000u, 0xf26b8303u, 0xe13b70f7u, 0x1350f3f4u, 0xc79a971fu, 0x35f1141cu,
    0x26a1e7e8u, 0xd4ca64ebu, 0x8ad958cfu, 0x78b2dbccu, 0x6be22838u, 0x9989ab3bu,
    0x4d43cfd0u, 0xbf284cd3u, 0xac78bf27u, 0x5e133c24u, 0x105ec76fu, 0xe235446cu,
    0xf165b798u, 0x030e349bu, 0xd7c45070u, 0x25afd373u, 0x36ff2087u, 0xc494a384u,
    0x9a879fa0u, 0x68ec1ca3u, 0x7bbcef57u, 0x89d76c54u, 0x5d1d08bfu, 0xaf768bbcu,
    0xbc267848u, 0x4e4dfb4bu, 0x20bd8edeu, 0xd2d60dddu, 0xc186fe29u, 0x33ed7d2au,
    0xe72719c1u, 0x154c9ac2u, 0x061c6936u, 0xf477ea35u, 0xaa64d611u, 0x580f5512u,
    0x4b5fa6e6u, 0xb93425e5u, 0x6dfe410eu, 0x9f95c20du, 0x8cc531f9u, 0x7eaeb2fau,
    0x30e349b1u, 0xc288cab2u, 0xd1d83946u, 0x23b3ba45u, 0xf779deaeu, 0x05125dadu,
    0x1642ae59u, 0xe4292d5au, 0xba3a117eu, 0x4851927du, 0x5b016189u, 0xa96ae28au,
    0x7da08661u, 0x8fcb0562u, 0x9c9bf696u, 0x6ef07595u, 0x417b1dbcu, 0xb3109ebfu,
    0xa0406d4bu, 0x522bee48u, 0x86e18aa3u, 0x748a09a0u, 0x67dafa54u, 0x95b17957u,
    0xcba24573u, 0x39c9c670u, 0x2a993584u, 0xd8f2b687u, 0x0c38d26cu, 0xfe53516fu,
    0xed03a29bu, 0x1f682198u, 0x5125dad3u, 0xa34e59d0u, 0xb01eaa24u, 0x42752927u,
    0x96bf4dccu, 0x64d4cecfu, 0x77843d3bu, 0x85efbe38u, 0xdbfc821cu, 0x2997011fu,
    0x3ac7f2ebu, 0xc8ac71e8u, 0x1c661503u, 0xee0d9600u, 0xfd5d65f4u, 0x0f36e6f7u,
    0x61c69362u, 0x93ad1061u, 0x80fde395u, 0x72966096u, 0xa65c047du, 0x5437877eu,
    0x4767748au, 0xb50cf789u, 0xeb1fcbadu, 0x197448aeu, 0x0a24bb5au, 0xf84f3859u,
    0x2c855cb2u, 0xdeeedfb1u, 0xcdbe2c45u, 0x3fd5af46u, 0x7198540du, 0x83f3d70eu,
    0x90a324fau, 0x62c8a7f9u, 0xb602c312u, 0x44694011u, 0x5739b3e5u, 0xa55230e6u,
    0xfb410cc2u, 0x092a8fc1u, 0x1a7a7c35u, 0xe811ff36u, 0x3cdb9bddu, 0xceb018deu,
    0xdde0eb2au, 0x2f8b6829u, 0x82f63b78u, 0x709db87bu, 0x63cd4b8fu, 0x91a6c88cu,
    0x456cac67u, 0xb7072f64u, 0xa457dc90u, 0x563c5f93u, 0x082f63b7u, 0xfa44e0b4u,
    0xe9141340u, 0x1b7f9043u, 0xcfb5f4a8u, 0x3dde77abu, 0x2e8e845fu, 0xdce5075cu,
    0x92a8fc17u, 0x60c37f14u, 0x73938ce0u, 0x81f80fe3u, 0x55326b08u, 0xa759e80bu,
    0xb4091bffu, 0x466298fcu, 0x1871a4d8u, 0xea1a27dbu, 0xf94ad42fu, 0x0b21572cu,
    0xdfeb33c7u, 0x2d80b0c4u, 0x3ed04330u, 0xccbbc033u, 0xa24bb5a6u, 0x502036a5u,
    0x4370c551u, 0xb11b4652u, 0x65d122b9u, 0x97baa1bau, 0x84ea524eu, 0x7681d14du,
    0x2892ed69u, 0xdaf96e6au, 0xc9a99d9eu, 0x3bc21e9du, 0xef087a76u, 0x1d63f975u,
    0x0e330a81u, 0xfc588982u, 0xb21572c9u, 0x407ef1cau, 0x532e023eu, 0xa145813du,
    0x758fe5d6u, 0x87e466d5u, 0x94b49521u, 0x66df1622u, 0x38cc2a06u, 0xcaa7a905u,
    0xd9f75af1u, 0x2b9cd9f2u, 0xff56bd19u, 0x0d3d3e1au, 0x1e6dcdeeu, 0xec064eedu,
    0xc38d26c4u, 0x31e6a5c7u, 0x22b65633u, 0xd0ddd530u, 0x0417b1dbu, 0xf67c32d8u,
    0xe52cc12cu, 0x1747422fu, 0x49547e0bu, 0xbb3ffd08u, 0xa86f0efcu, 0x5a048dffu,
    0x8ecee914u, 0x7ca56a17u, 0x6ff599e3u, 0x9d9e1ae0u, 0xd3d3e1abu, 0x21b862a8u,
    0x32e8915cu, 0xc083125fu, 0x144976b4u, 0xe622f5b7u, 0xf5720643u, 0x07198540u,
    0x590ab964u, 0xab613a67u, 0xb831c993u, 0x4a5a4a90u, 0x9e902e7bu, 0x6cfbad78u,
    0x7fab5e8cu, 0x8dc0dd8fu, 0xe330a81au, 0x115b2b19u, 0x020bd8edu, 0xf0605beeu,
    0x24aa3f05u, 0xd6c1bc06u, 0xc5914ff2u, 0x37faccf1u, 0x69e9f0d5u, 0x9b8273d6u,
    0x88d28022u, 0x7ab90321u, 0xae7367cau, 0x5c18e4c9u, 0x4f48173du, 0xbd23943eu,
    0xf36e6f75u, 0x0105ec76u, 0x12551f82u, 0xe03e9c81u, 0x34f4f86au, 0xc69f7b69u,
    0xd5cf889du, 0x27a40b9eu, 0x79b737bau, 0x8bdcb4b9u, 0x988c474du, 0x6ae7c44eu,
    0xbe2da0a5u, 0x4c4623a6u, 0x5f16d052u, 0xad7d5351u,
};

uint32_t triage__crc32c(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++)
        c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* ---- little-endian helpers ------------------------------------------------ */

static void put_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* ---- writing -------------------------------------------------------------- */

static void wb_reserve(triage__wbuf *b, size_t more)
{
    if (b->failed)
        return;
    if (more > SIZE_MAX / 2 - b->n) {
        b->failed = 1;
        return;
    }
    if (b->n + more <= b->cap)
        return;
    void *p = b->p;
    if (triage__grow(b->alloc, &p, &b->cap, b->n + more, 1)) {
        b->failed = 1;
        return;
    }
    b->p = p;
}

static void wb_bytes(triage__wbuf *b, const void *src, size_t n)
{
    wb_reserve(b, n);
    if (!b->failed) {
        triage__copy(b->p + b->n, src, n);
        b->n += n;
    }
}

static void wb_le(triage__wbuf *b, uint64_t v, int n)
{
    unsigned char tmp[8];
    put_le(tmp, v, n);
    wb_bytes(b, tmp, (size_t)n);
}

static void wb_head(triage__wbuf *b, uint16_t tag, uint8_t wire)
{
    wb_le(b, tag, 2);
    wb_le(b, wire, 1);
}

static int64_t read_int(const void *rec, const triage__field *f)
{
    const char *p = (const char *)rec + f->off;
    switch (f->mem) {
    case TRIAGE__M_I32: { int32_t v; memcpy(&v, p, 4); return v; }
    case TRIAGE__M_U32: { uint32_t v; memcpy(&v, p, 4); return v; }
    case TRIAGE__M_I64: { int64_t v; memcpy(&v, p, 8); return v; }
    case TRIAGE__M_U8: return (unsigned char)*p;
    case TRIAGE__M_U16: { uint16_t v; memcpy(&v, p, 2); return v; }
    default: return 0;
    }
}

static uint8_t wire_of(uint8_t mem)
{
    switch (mem) {
    case TRIAGE__M_F64: return TRIAGE__W_REAL;
    case TRIAGE__M_ID: return TRIAGE__W_ID;
    case TRIAGE__M_TEXT: return TRIAGE__W_TEXT;
    case TRIAGE__M_INTS: return TRIAGE__W_INTS;
    case TRIAGE__M_BYTES: return TRIAGE__W_BYTES;
    default: return TRIAGE__W_INT;
    }
}

void triage__encode_begin(triage__wbuf *b, uint16_t kind)
{
    b->n = 0;
    b->failed = 0;
    wb_bytes(b, TRIAGE__CODEC_MAGIC, 4);
    wb_le(b, TRIAGE__CODEC_VERSION, 2);
    wb_le(b, kind, 2);
    wb_le(b, 0, 4); /* the payload length, filled in by triage__encode_end */
}

void triage__encode_fields(triage__wbuf *b, const triage__schema *s, const void *rec)
{
    for (size_t i = 0; i < s->nfields; i++) {
        const triage__field *f = &s->fields[i];
        const char *p = (const char *)rec + f->off;
        wb_head(b, f->tag, wire_of(f->mem));
        switch (f->mem) {
        case TRIAGE__M_F64: {
            double d;
            memcpy(&d, p, sizeof d);
            uint64_t bits;
            memcpy(&bits, &d, sizeof bits);
            wb_le(b, bits, 8);
            break;
        }
        case TRIAGE__M_ID:
            wb_bytes(b, p, 16);
            break;
        case TRIAGE__M_TEXT: {
            size_t n = strnlen(p, f->off2);
            wb_le(b, n, 2);
            wb_bytes(b, p, n);
            break;
        }
        case TRIAGE__M_INTS: {
            const int32_t *v;
            uint32_t n;
            memcpy(&v, p, sizeof v);
            memcpy(&n, (const char *)rec + f->off2, sizeof n);
            wb_le(b, n, 4);
            for (uint32_t k = 0; k < n; k++)
                wb_le(b, (uint32_t)v[k], 4);
            break;
        }
        case TRIAGE__M_BYTES: {
            const unsigned char *v;
            uint32_t n;
            memcpy(&v, p, sizeof v);
            memcpy(&n, (const char *)rec + f->off2, sizeof n);
            wb_le(b, n, 4);
            wb_bytes(b, v, n);
            break;
        }
        default:
            wb_le(b, (uint64_t)read_int(rec, f), 8);
        }
    }
}

void triage__encode_bytes(triage__wbuf *b, uint16_t tag, const void *data, size_t len)
{
    if (len > UINT32_MAX) {
        b->failed = 1;
        return;
    }
    wb_head(b, tag, TRIAGE__W_BYTES);
    wb_le(b, len, 4);
    wb_bytes(b, data, len);
}

void triage__encode_raw(triage__wbuf *b, const void *data, size_t len)
{
    wb_bytes(b, data, len);
}

triage_status_t triage__encode_end(triage__wbuf *b, const char *what)
{
    if (!b->failed) {
        size_t payload = b->n - TRIAGE__CODEC_HEADER;
        if (payload > UINT32_MAX)
            return triage__error(TRIAGE_ERANGE, what, "the %s record is too large", what);
        put_le(b->p + 8, payload, 4);
        wb_le(b, triage__crc32c(b->p, b->n), 4);
    }
    if (b->failed)
        return triage__error(TRIAGE_ENOMEM, NULL, "out of memory");
    return TRIAGE_OK;
}

triage_status_t triage__encode(triage__wbuf *b, const triage__schema *s, const void *rec)
{
    triage__encode_begin(b, s->kind);
    triage__encode_fields(b, s, rec);
    return triage__encode_end(b, s->name);
}

/* ---- reading -------------------------------------------------------------- */

/* ECORRUPT naming "<kind>.<field>" (or the kind alone): never a value. */
static triage_status_t corrupt(const triage__schema *s, const char *field, const char *what)
{
    char name[64];
    if (field)
        snprintf(name, sizeof name, "%s.%s", s->name, field);
    else
        snprintf(name, sizeof name, "%s", s->name);
    return triage__error(TRIAGE_ECORRUPT, name, "stored %s is damaged: %s", name, what);
}

int triage__codec_kind(const void *data, size_t len)
{
    const unsigned char *p = data;
    if (!data || len < TRIAGE__CODEC_HEADER + TRIAGE__CODEC_TRAILER ||
        memcmp(p, TRIAGE__CODEC_MAGIC, 4) != 0)
        return -1;
    return (int)get_le(p + 6, 2);
}

static const triage__field *find_field(const triage__schema *s, uint16_t tag)
{
    size_t lo = 0, hi = s->nfields;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->fields[mid].tag < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nfields && s->fields[lo].tag == tag ? &s->fields[lo] : NULL;
}

static triage_status_t check_range(const triage__schema *s, const triage__field *f, int64_t v)
{
    if (f->flags & TRIAGE__F_DATE) {
        if (v == TRIAGE_DATE_NONE && (f->flags & TRIAGE__F_OPTIONAL))
            return TRIAGE_OK;
        if (v < TRIAGE_DATE_MIN || v > TRIAGE_DATE_MAX)
            return corrupt(s, f->name, "not a date in the supported range");
        return TRIAGE_OK;
    }
    if (f->min <= f->max && ((double)v < f->min || (double)v > f->max))
        return corrupt(s, f->name, "value out of range");
    return TRIAGE_OK;
}

static triage_status_t store_int(void *rec, const triage__schema *s, const triage__field *f,
                                 int64_t v)
{
    char *p = (char *)rec + f->off;
    switch (f->mem) {
    case TRIAGE__M_I32: {
        if (v < INT32_MIN || v > INT32_MAX)
            return corrupt(s, f->name, "value out of range");
        int32_t x = (int32_t)v;
        memcpy(p, &x, 4);
        break;
    }
    case TRIAGE__M_U32: {
        if (v < 0 || v > (int64_t)UINT32_MAX)
            return corrupt(s, f->name, "value out of range");
        uint32_t x = (uint32_t)v;
        memcpy(p, &x, 4);
        break;
    }
    case TRIAGE__M_I64:
        memcpy(p, &v, 8);
        break;
    case TRIAGE__M_U8:
        if (v < 0 || v > 255)
            return corrupt(s, f->name, "value out of range");
        *p = (char)(unsigned char)v;
        break;
    case TRIAGE__M_U16: {
        if (v < 0 || v > 65535)
            return corrupt(s, f->name, "value out of range");
        uint16_t x = (uint16_t)v;
        memcpy(p, &x, 2);
        break;
    }
    default:
        return corrupt(s, f->name, "unexpected field type");
    }
    return check_range(s, f, v);
}

void triage__codec_release(void *rec, const triage__schema *s, const triage_allocator_t *alloc)
{
    for (size_t i = 0; i < s->nfields; i++) {
        const triage__field *f = &s->fields[i];
        if (f->mem != TRIAGE__M_INTS && f->mem != TRIAGE__M_BYTES)
            continue;
        void *v;
        memcpy(&v, (char *)rec + f->off, sizeof v);
        triage__free(alloc, v);
        v = NULL;
        memcpy((char *)rec + f->off, &v, sizeof v);
        memset((char *)rec + f->off2, 0, sizeof(uint32_t));
    }
}

/* One field's value (after its tag and wire type). `end` bounds the payload. */
static triage_status_t read_field(void *rec, const triage__schema *s, const triage__field *f,
                                  uint8_t wire, const unsigned char **pp,
                                  const unsigned char *end, const triage_allocator_t *alloc)
{
    const unsigned char *p = *pp;
    size_t left = (size_t)(end - p);
    char *dst = (char *)rec + f->off;
    if (wire != wire_of(f->mem))
        return corrupt(s, f->name, "field has the wrong type");
    switch (wire) {
    case TRIAGE__W_INT: {
        if (left < 8)
            return corrupt(s, f->name, "truncated");
        triage_status_t rc = store_int(rec, s, f, (int64_t)get_le(p, 8));
        if (rc)
            return rc;
        p += 8;
        break;
    }
    case TRIAGE__W_REAL: {
        if (left < 8)
            return corrupt(s, f->name, "truncated");
        uint64_t bits = get_le(p, 8);
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d) || (f->min <= f->max && (d < f->min || d > f->max)))
            return corrupt(s, f->name, "value out of range");
        memcpy(dst, &d, sizeof d);
        p += 8;
        break;
    }
    case TRIAGE__W_ID:
        if (left < 16)
            return corrupt(s, f->name, "truncated");
        memcpy(dst, p, 16);
        p += 16;
        if ((f->flags & TRIAGE__F_NOT_NIL) && triage_id_is_nil((const triage_id_t *)(const void *)dst))
            return corrupt(s, f->name, "missing id");
        break;
    case TRIAGE__W_TEXT: {
        if (left < 2)
            return corrupt(s, f->name, "truncated");
        size_t n = (size_t)get_le(p, 2);
        p += 2;
        if (n > left - 2)
            return corrupt(s, f->name, "truncated");
        if (n >= f->off2)
            return corrupt(s, f->name, "text too long");
        for (size_t k = 0; k < n; k++)
            if (p[k] < 0x20 || p[k] > 0x7e)
                return corrupt(s, f->name, "text is not printable ASCII");
        memcpy(dst, p, n);
        memset(dst + n, 0, f->off2 - n);
        p += n;
        break;
    }
    case TRIAGE__W_INTS: {
        if (left < 4)
            return corrupt(s, f->name, "truncated");
        uint64_t n = get_le(p, 4);
        p += 4;
        if (n > (left - 4) / 4)
            return corrupt(s, f->name, "truncated");
        if (f->min <= f->max && (double)n > f->max)
            return corrupt(s, f->name, "too many values");
        int32_t *v = NULL;
        if (n) {
            v = triage__malloc(alloc, (size_t)n * sizeof *v);
            if (!v)
                return TRIAGE_ENOMEM;
        }
        for (uint64_t k = 0; k < n; k++)
            v[k] = (int32_t)(uint32_t)get_le(p + 4 * k, 4);
        p += 4 * n;
        int32_t *old;
        memcpy(&old, dst, sizeof old);
        triage__free(alloc, old);
        memcpy(dst, &v, sizeof v);
        uint32_t cnt = (uint32_t)n;
        memcpy((char *)rec + f->off2, &cnt, sizeof cnt);
        break;
    }
    case TRIAGE__W_BYTES: {
        if (left < 4)
            return corrupt(s, f->name, "truncated");
        uint64_t n = get_le(p, 4);
        p += 4;
        if (n > left - 4)
            return corrupt(s, f->name, "truncated");
        if (f->min <= f->max && (double)n > f->max)
            return corrupt(s, f->name, "too long");
        unsigned char *v = NULL;
        if (n) {
            v = triage__malloc(alloc, (size_t)n);
            if (!v)
                return TRIAGE_ENOMEM;
            memcpy(v, p, (size_t)n);
        }
        p += n;
        void *old;
        memcpy(&old, dst, sizeof old);
        triage__free(alloc, old);
        memcpy(dst, &v, sizeof v);
        uint32_t cnt = (uint32_t)n;
        memcpy((char *)rec + f->off2, &cnt, sizeof cnt);
        break;
    }
    default:
        return corrupt(s, f->name, "unknown field type");
    }
    *pp = p;
    return TRIAGE_OK;
}

/* Bytes of a field's value of a wire type this reader does not use (a
 * newer writer's field): how far to skip, or SIZE_MAX when truncated. */
static size_t skip_len(uint8_t wire, const unsigned char *p, size_t left)
{
    switch (wire) {
    case TRIAGE__W_INT:
    case TRIAGE__W_REAL: return left >= 8 ? 8 : SIZE_MAX;
    case TRIAGE__W_ID: return left >= 16 ? 16 : SIZE_MAX;
    case TRIAGE__W_TEXT: return left >= 2 && get_le(p, 2) <= left - 2 ? 2 + (size_t)get_le(p, 2) : SIZE_MAX;
    case TRIAGE__W_INTS: return left >= 4 && get_le(p, 4) <= (left - 4) / 4 ? 4 + 4 * (size_t)get_le(p, 4) : SIZE_MAX;
    case TRIAGE__W_BYTES: return left >= 4 && get_le(p, 4) <= left - 4 ? 4 + (size_t)get_le(p, 4) : SIZE_MAX;
    default: return SIZE_MAX; /* an unknown wire type cannot be skipped */
    }
}

triage_status_t triage__decode(void *rec, const triage__schema *s, const void *data, size_t len,
                               const triage_allocator_t *alloc)
{
    return triage__decode_ex(rec, s, data, len, alloc, NULL, NULL);
}

triage_status_t triage__decode_ex(void *rec, const triage__schema *s, const void *data,
                                  size_t len, const triage_allocator_t *alloc,
                                  triage__extra_fn extra, void *ctx)
{
    const unsigned char *p = data;
    if (!data || len < TRIAGE__CODEC_HEADER + TRIAGE__CODEC_TRAILER ||
        memcmp(p, TRIAGE__CODEC_MAGIC, 4) != 0)
        return corrupt(s, "header", "not a libtriage schema-2 record");
    uint64_t version = get_le(p + 4, 2);
    if (version > TRIAGE__CODEC_VERSION)
        return triage__error(TRIAGE_EVERSION, s->name,
                             "the %s record was written by a newer libtriage (schema %u > %d)",
                             s->name, (unsigned)version, TRIAGE__CODEC_VERSION);
    if (version != TRIAGE__CODEC_VERSION)
        return corrupt(s, "header", "unknown schema version");
    if (get_le(p + 6, 2) != s->kind)
        return corrupt(s, "header", "the record is of another kind");
    uint64_t payload = get_le(p + 8, 4);
    if (payload != len - TRIAGE__CODEC_HEADER - TRIAGE__CODEC_TRAILER)
        return corrupt(s, "length", "the length does not match the header");
    if (get_le(p + len - 4, 4) != triage__crc32c(p, len - 4))
        return corrupt(s, NULL, "checksum mismatch (the data is damaged)");

    uint8_t seen[256];
    if (s->nfields > sizeof seen)
        return corrupt(s, NULL, "schema too large");
    memset(seen, 0, s->nfields);
    const unsigned char *q = p + TRIAGE__CODEC_HEADER, *end = p + len - TRIAGE__CODEC_TRAILER;
    int last_tag = -1;
    triage_status_t rc = TRIAGE_OK;
    while (q < end && !rc) {
        if ((size_t)(end - q) < 3) {
            rc = corrupt(s, NULL, "truncated field");
            break;
        }
        uint16_t tag = (uint16_t)get_le(q, 2);
        uint8_t wire = q[2];
        q += 3;
        if ((int)tag <= last_tag) {
            rc = corrupt(s, NULL, "fields out of order or repeated");
            break;
        }
        last_tag = tag;
        const triage__field *f = find_field(s, tag);
        if (!f) {
            size_t n = skip_len(wire, q, (size_t)(end - q));
            if (n == SIZE_MAX) {
                rc = corrupt(s, NULL, "truncated or unknown field");
            } else {
                if (extra && wire == TRIAGE__W_BYTES)
                    rc = extra(ctx, tag, q + 4, n - 4);
                q += n;
            }
            continue;
        }
        rc = read_field(rec, s, f, wire, &q, end, alloc);
        if (!rc)
            seen[f - s->fields] = 1;
    }
    for (size_t i = 0; i < s->nfields && !rc; i++) {
        const triage__field *f = &s->fields[i];
        if (seen[i])
            continue;
        if (f->flags & TRIAGE__F_REQUIRED) {
            rc = corrupt(s, f->name, "required field missing");
        } else if (f->flags & TRIAGE__F_DATE) {
            /* an optional date a writer left out is "none" */
            int32_t none = TRIAGE_DATE_NONE;
            memcpy((char *)rec + f->off, &none, sizeof none);
        }
    }
    if (rc)
        triage__codec_release(rec, s, alloc);
    return rc;
}

static size_t elem_size(uint8_t mem)
{
    return mem == TRIAGE__M_INTS ? sizeof(int32_t) : 1;
}

triage_status_t triage__codec_clone(void *dst, const void *src, const triage__schema *s,
                                    const triage_allocator_t *alloc)
{
    /* First give dst no owned arrays, so a failure part way can release it. */
    for (size_t i = 0; i < s->nfields; i++) {
        const triage__field *f = &s->fields[i];
        if (f->mem == TRIAGE__M_INTS || f->mem == TRIAGE__M_BYTES) {
            void *z = NULL;
            memcpy((char *)dst + f->off, &z, sizeof z);
            memset((char *)dst + f->off2, 0, sizeof(uint32_t));
        }
    }
    for (size_t i = 0; i < s->nfields; i++) {
        const triage__field *f = &s->fields[i];
        if (f->mem != TRIAGE__M_INTS && f->mem != TRIAGE__M_BYTES)
            continue;
        const void *v;
        uint32_t n;
        memcpy(&v, (const char *)src + f->off, sizeof v);
        memcpy(&n, (const char *)src + f->off2, sizeof n);
        if (!n)
            continue;
        void *copy = triage__malloc(alloc, (size_t)n * elem_size(f->mem));
        if (!copy) {
            triage__codec_release(dst, s, alloc);
            return TRIAGE_ENOMEM;
        }
        memcpy(copy, v, (size_t)n * elem_size(f->mem));
        memcpy((char *)dst + f->off, &copy, sizeof copy);
        memcpy((char *)dst + f->off2, &n, sizeof n);
    }
    return TRIAGE_OK;
}

int triage__codec_equal(const void *a, const void *b, const triage__schema *s)
{
    for (size_t i = 0; i < s->nfields; i++) {
        const triage__field *f = &s->fields[i];
        const char *pa = (const char *)a + f->off, *pb = (const char *)b + f->off;
        switch (f->mem) {
        case TRIAGE__M_F64: {
            double x, y;
            memcpy(&x, pa, 8);
            memcpy(&y, pb, 8);
            if (memcmp(&x, &y, 8) != 0)
                return 0;
            break;
        }
        case TRIAGE__M_ID:
            if (memcmp(pa, pb, 16) != 0)
                return 0;
            break;
        case TRIAGE__M_TEXT:
            if (strncmp(pa, pb, f->off2) != 0)
                return 0;
            break;
        case TRIAGE__M_INTS:
        case TRIAGE__M_BYTES: {
            const void *va, *vb;
            uint32_t na, nb;
            memcpy(&va, pa, sizeof va);
            memcpy(&vb, pb, sizeof vb);
            memcpy(&na, (const char *)a + f->off2, sizeof na);
            memcpy(&nb, (const char *)b + f->off2, sizeof nb);
            if (na != nb || (na && memcmp(va, vb, na * elem_size(f->mem)) != 0))
                return 0;
            break;
        }
        default:
            if (read_int(a, f) != read_int(b, f))
                return 0;
        }
    }
    return 1;
}

size_t triage__codec_columns(triage_field_t *out, size_t cap, const triage__schema *s,
                             const void *rec, size_t first_field)
{
    size_t n = 0;
    for (size_t i = first_field; i < s->nfields; i++) {
        const triage__field *f = &s->fields[i];
        if (f->flags & TRIAGE__F_NOCOL)
            continue;
        if (n < cap) {
            triage_field_t *c = &out[n];
            memset(c, 0, sizeof *c);
            c->name = f->name;
            const char *p = (const char *)rec + f->off;
            switch (f->mem) {
            case TRIAGE__M_F64:
                c->type = TRIAGE_FIELD_REAL;
                memcpy(&c->r, p, sizeof c->r);
                break;
            case TRIAGE__M_ID:
                c->type = TRIAGE_FIELD_ID;
                memcpy(&c->id, p, sizeof c->id);
                c->is_null = triage_id_is_nil(&c->id);
                break;
            case TRIAGE__M_TEXT:
                c->type = TRIAGE_FIELD_TEXT;
                c->text = p;
                break;
            case TRIAGE__M_INTS: {
                c->type = TRIAGE_FIELD_INTS;
                const int32_t *v;
                memcpy(&v, p, sizeof v);
                c->ints = v;
                memcpy(&c->nints, (const char *)rec + f->off2, sizeof c->nints);
                break;
            }
            default:
                c->i = read_int(rec, f);
                if (f->flags & TRIAGE__F_DATE) {
                    c->type = TRIAGE_FIELD_DATE;
                    c->is_null = c->i == TRIAGE_DATE_NONE;
                } else {
                    c->type = TRIAGE_FIELD_INT;
                }
            }
        }
        n++;
    }
    return n;
}
