/*
 * The portable record encoding of schema 2 (docs/data-model.md): a header,
 * tagged fields in ascending tag order, and a CRC-32C trailer. Field tables
 * describe each record kind once; the same table drives encoding, decoding,
 * the range checks of decoding and the typed columns a store receives.
 */
#ifndef TRIAGE_ENGINE_CODEC_H
#define TRIAGE_ENGINE_CODEC_H

#include "base/internal.h"
#include "triage/sys/store.h"

#define TRIAGE__CODEC_MAGIC "TRG2"
#define TRIAGE__CODEC_VERSION 2
#define TRIAGE__CODEC_HEADER 12
#define TRIAGE__CODEC_TRAILER 4
/* The kind number events are encoded under. */
#define TRIAGE__CODEC_KIND_EVENT 100

/* Wire types. */
enum {
    TRIAGE__W_INT = 1,   /* 8 bytes two's complement */
    TRIAGE__W_REAL = 2,  /* 8 bytes binary64 */
    TRIAGE__W_ID = 3,    /* 16 bytes */
    TRIAGE__W_TEXT = 4,  /* u16 length + bytes */
    TRIAGE__W_INTS = 5,  /* u32 count + count x i32 */
    TRIAGE__W_BYTES = 6  /* u32 length + bytes */
};

/* How a field lives in the record struct. */
enum {
    TRIAGE__M_I32 = 1,   /* int32_t (also enums and triage_date_t) */
    TRIAGE__M_U32 = 2,   /* uint32_t */
    TRIAGE__M_I64 = 3,   /* int64_t */
    TRIAGE__M_U8 = 4,    /* uint8_t */
    TRIAGE__M_F64 = 5,   /* double */
    TRIAGE__M_ID = 6,    /* triage_id_t */
    TRIAGE__M_TEXT = 7,  /* char[size], NUL-terminated */
    TRIAGE__M_INTS = 8,  /* int32_t *at off, uint32_t count at off2 (owned, engine allocator) */
    TRIAGE__M_U16 = 9,   /* uint16_t */
    TRIAGE__M_BYTES = 10 /* unsigned char *at off, uint32_t length at off2 (owned) */
};

/* Field flags. */
#define TRIAGE__F_REQUIRED 0x1u /* a record without it is damaged */
#define TRIAGE__F_DATE 0x2u     /* a civil date, or TRIAGE_DATE_NONE when F_OPTIONAL */
#define TRIAGE__F_OPTIONAL 0x4u /* dates: NONE allowed; ids: nil allowed */
#define TRIAGE__F_NOT_NIL 0x8u  /* ids: nil refused */
#define TRIAGE__F_NOCOL 0x10u   /* not offered to stores as a typed column */

typedef struct triage__field {
    uint16_t tag;
    uint8_t mem;          /* TRIAGE__M_* */
    uint8_t flags;        /* TRIAGE__F_* */
    const char *name;     /* column name */
    size_t off;           /* offset in the struct */
    size_t off2;          /* TRIAGE__M_INTS: offset of the count; TEXT: buffer size */
    double min, max;      /* numeric range (inclusive); ignored when min > max */
} triage__field;

typedef struct triage__schema {
    const char *name;     /* "case", for messages */
    uint16_t kind;
    const triage__field *fields;
    size_t nfields;       /* ascending by tag */
} triage__schema;

/* A growing byte buffer. */
typedef struct {
    const triage_allocator_t *alloc;
    unsigned char *p;
    size_t n, cap;
    int failed; /* an allocation failed: the content is incomplete */
} triage__wbuf;

uint32_t triage__crc32c(const void *data, size_t len);

/* Encodes `rec` described by `s`: header, fields, trailer, into b (reused:
 * b->p stays allocated with b->alloc). ENOMEM on failure. */
triage_status_t triage__encode(triage__wbuf *b, const triage__schema *s, const void *rec);
/* The same in steps, for records with extra fields (tags above the
 * schema's, written after its fields): begin, fields, extras, end. */
void triage__encode_begin(triage__wbuf *b, uint16_t kind);
void triage__encode_fields(triage__wbuf *b, const triage__schema *s, const void *rec);
void triage__encode_bytes(triage__wbuf *b, uint16_t tag, const void *data, size_t len);
void triage__encode_raw(triage__wbuf *b, const void *data, size_t len);
triage_status_t triage__encode_end(triage__wbuf *b, const char *what);

/*
 * Decodes `data` into `rec`, which the caller zeroes first (array fields
 * found in it are replaced: they must be NULL or owned). Array fields are
 * allocated with `alloc`, released with triage__codec_release on failure
 * and by the caller afterwards. Checks magic, version, kind, lengths and the checksum,
 * field types, required fields and every field's range. ECORRUPT naming the
 * schema and field; EVERSION for a newer schema.
 */
triage_status_t triage__decode(void *rec, const triage__schema *s, const void *data, size_t len,
                               const triage_allocator_t *alloc);

/* A handler for BYTES fields whose tag the schema does not know (nested
 * rows): gets the field's value. */
typedef triage_status_t (*triage__extra_fn)(void *ctx, uint16_t tag, const unsigned char *p,
                                           size_t len);
triage_status_t triage__decode_ex(void *rec, const triage__schema *s, const void *data,
                                  size_t len, const triage_allocator_t *alloc,
                                  triage__extra_fn extra, void *ctx);

/* Frees the owned array fields of a record described by `s` (idempotent:
 * the pointers are set to NULL and the counts to 0). */
void triage__codec_release(void *rec, const triage__schema *s, const triage_allocator_t *alloc);

/* Deep-copies `src` into `dst` (both described by `s`): ENOMEM leaves dst
 * with no owned arrays. */
triage_status_t triage__codec_clone(void *dst, const void *src, const triage__schema *s,
                                    const triage_allocator_t *alloc);

/* 1 when two records have the same encoded content (arrays compared by value). */
int triage__codec_equal(const void *a, const void *b, const triage__schema *s);

/*
 * The typed columns of a record for a store (every field but the head's id,
 * revision and creation number, and those marked TRIAGE__F_NOCOL): fills at
 * most `cap` entries of `out` and returns how many the record has. Values
 * point into `rec` (texts and lists): valid while it is.
 */
size_t triage__codec_columns(triage_field_t *out, size_t cap, const triage__schema *s,
                             const void *rec, size_t first_field);

/* The kind in an encoded header, or -1 when it is not a schema-2 record. */
int triage__codec_kind(const void *data, size_t len);

#endif
