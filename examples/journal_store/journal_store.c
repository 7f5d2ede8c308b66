/*
 * A vendor-style libtriage store: an append-only journal file.
 *
 * Written against the public interface only (<triage/sys/store.h>), as an
 * embedding application would write one. Every committed transaction is
 * appended to the file as one frame and fsync()ed before commit returns:
 *
 *     "TJNL" u32 payload-length  payload  u32 checksum
 *
 * The payload is a sequence of entries: u8 op (1 put, 2 delete, 3 event),
 * u8 kind, 16-byte id, u32 length, data. A frame that is cut short or whose
 * checksum does not match (a crash in the middle of a write) ends the
 * journal: it and anything after it are ignored, so a transaction is either
 * wholly in the file or not at all. Reading rebuilds the latest state in
 * memory. Integers are little-endian.
 */
#include "journal_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    triage_record_kind_t kind;
    triage_id_t id;
    unsigned char *data;
    size_t len;
} jrec;

typedef struct {
    int fd;
    jrec *recs;                 /* latest state, insertion order */
    size_t n, cap;
    triage_event_t *events;
    size_t nev, evcap;
    unsigned char *pending;     /* the frame being built by the open transaction */
    size_t plen, pcap;
    int in_txn;
} journal;

static uint32_t checksum(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *p = realloc(*arr, n * elem);
    if (!p)
        return ENOMEM;
    *arr = p;
    *cap = n;
    return 0;
}

/* Applies one entry to the in-memory state (used when replaying the file
 * and after a commit). */
static int apply(journal *j, int op, triage_record_kind_t kind, const triage_id_t *id,
                 const unsigned char *data, size_t len)
{
    if (op == 3) {
        if (len != sizeof(triage_event_t) || grow((void **)&j->events, &j->evcap, j->nev + 1, sizeof *j->events))
            return EINVAL;
        memcpy(&j->events[j->nev++], data, len);
        return 0;
    }
    size_t i = 0;
    while (i < j->n && !(j->recs[i].kind == kind && !memcmp(&j->recs[i].id, id, sizeof *id)))
        i++;
    if (op == 2) {
        if (i == j->n)
            return 0;
        free(j->recs[i].data);
        memmove(&j->recs[i], &j->recs[i + 1], (j->n - i - 1) * sizeof *j->recs);
        j->n--;
        return 0;
    }
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy)
        return ENOMEM;
    memcpy(copy, data, len);
    if (i == j->n) {
        if (grow((void **)&j->recs, &j->cap, j->n + 1, sizeof *j->recs)) {
            free(copy);
            return ENOMEM;
        }
        j->recs[j->n++] = (jrec){kind, *id, copy, len};
    } else {
        free(j->recs[i].data);
        j->recs[i].data = copy;
        j->recs[i].len = len;
    }
    return 0;
}

/* Walks the entries of one frame payload, applying them when `commit`. */
static int walk(journal *j, const unsigned char *p, size_t n, int commit)
{
    size_t off = 0;
    while (off < n) {
        if (n - off < 22)
            return EINVAL;
        int op = p[off];
        triage_record_kind_t kind = (triage_record_kind_t)p[off + 1];
        triage_id_t id;
        memcpy(id.bytes, p + off + 2, 16);
        size_t len = rd32(p + off + 18);
        if (n - off - 22 < len || op < 1 || op > 3)
            return EINVAL;
        if (commit) {
            int rc = apply(j, op, kind, &id, p + off + 22, len);
            if (rc)
                return rc;
        }
        off += 22 + len;
    }
    return 0;
}

static int add_entry(journal *j, int op, triage_record_kind_t kind, const triage_id_t *id,
                     const void *data, size_t len)
{
    if (!j->in_txn)
        return EINVAL;
    if (grow((void **)&j->pending, &j->pcap, j->plen + 22 + len, 1))
        return ENOMEM;
    unsigned char *p = j->pending + j->plen;
    p[0] = (unsigned char)op;
    p[1] = (unsigned char)kind;
    memset(p + 2, 0, 16);
    if (id)
        memcpy(p + 2, id->bytes, 16);
    le32(p + 18, (uint32_t)len);
    memcpy(p + 22, data, len);
    j->plen += 22 + len;
    return 0;
}

static int j_begin(void *ud)
{
    journal *j = ud;
    if (j->in_txn)
        return EBUSY;
    j->in_txn = 1;
    j->plen = 8; /* room for the frame header */
    return grow((void **)&j->pending, &j->pcap, 8, 1);
}

static int j_commit(void *ud)
{
    journal *j = ud;
    if (!j->in_txn)
        return EINVAL;
    size_t payload = j->plen - 8;
    if (grow((void **)&j->pending, &j->pcap, j->plen + 4, 1))
        return ENOMEM;
    memcpy(j->pending, "TJNL", 4);
    le32(j->pending + 4, (uint32_t)payload);
    le32(j->pending + j->plen, checksum(j->pending + 8, payload));
    size_t total = j->plen + 4, done = 0;
    off_t start = lseek(j->fd, 0, SEEK_END);
    while (done < total) {
        ssize_t w = write(j->fd, j->pending + done, total - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = errno ? errno : EIO;
            if (ftruncate(j->fd, start) != 0) { /* leave no partial frame behind */
            }
            triage_store_error_set("the journal could not be written");
            return err;
        }
        done += (size_t)w;
    }
    if (fsync(j->fd) != 0) {
        int err = errno;
        if (ftruncate(j->fd, start) != 0) {
        }
        triage_store_error_set("the journal could not be synced to disk");
        return err;
    }
    /* Durable: now update the in-memory view. */
    int rc = walk(j, j->pending + 8, payload, 1);
    j->in_txn = 0;
    return rc;
}

static int j_rollback(void *ud)
{
    journal *j = ud;
    j->in_txn = 0;
    j->plen = 0;
    return 0;
}

static int j_put(void *ud, triage_record_kind_t kind, const triage_id_t *id,
                 const triage_record_keys_t *keys, const void *data, size_t len)
{
    (void)keys; /* a journal has no columns to index */
    return add_entry(ud, 1, kind, id, data, len);
}

static int j_del(void *ud, triage_record_kind_t kind, const triage_id_t *id)
{
    return add_entry(ud, 2, kind, id, "", 0);
}

static int j_list(void *ud, triage_record_kind_t kind, triage_record_visit_fn visit, void *ctx)
{
    journal *j = ud;
    for (size_t i = 0; i < j->n; i++)
        if (j->recs[i].kind == kind) {
            int rc = visit(ctx, &j->recs[i].id, j->recs[i].data, j->recs[i].len);
            if (rc)
                return rc;
        }
    return 0;
}

static int j_append_event(void *ud, const triage_event_t *ev)
{
    return add_entry(ud, 3, 0, NULL, ev, sizeof *ev);
}

static int j_list_events(void *ud, triage_event_visit_fn visit, void *ctx)
{
    journal *j = ud;
    for (size_t i = 0; i < j->nev; i++) {
        int rc = visit(ctx, &j->events[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static void j_destroy(void *ud)
{
    journal *j = ud;
    for (size_t i = 0; i < j->n; i++)
        free(j->recs[i].data);
    free(j->recs);
    free(j->events);
    free(j->pending);
    close(j->fd);
    free(j);
}

/* Reads every complete frame; stops at the first torn or damaged one. */
static int replay(journal *j)
{
    unsigned char head[8];
    off_t good = 0;
    for (;;) {
        if (pread(j->fd, head, 8, good) != 8 || memcmp(head, "TJNL", 4) != 0)
            break;
        size_t len = rd32(head + 4);
        unsigned char *buf = malloc(len + 4);
        if (!buf)
            return ENOMEM;
        if (pread(j->fd, buf, len + 4, good + 8) != (ssize_t)(len + 4) ||
            checksum(buf, len) != rd32(buf + len) || walk(j, buf, len, 0) != 0) {
            free(buf);
            break;
        }
        int rc = walk(j, buf, len, 1);
        free(buf);
        if (rc)
            return rc;
        good += (off_t)(8 + len + 4);
    }
    /* Cut a torn tail so new frames follow the last good one. */
    return ftruncate(j->fd, good) == 0 ? 0 : errno;
}

int journal_store_open(triage_store_t *out, const char *path)
{
    journal *j = calloc(1, sizeof *j);
    if (!j)
        return ENOMEM;
    j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (j->fd < 0) {
        int err = errno;
        free(j);
        return err;
    }
    int rc = replay(j);
    if (rc) {
        j_destroy(j);
        return rc;
    }
    triage_store_init(out, TRIAGE_STORE_VERSION);
    out->userdata = j;
    out->begin = j_begin;
    out->commit = j_commit;
    out->rollback = j_rollback;
    out->put = j_put;
    out->del = j_del;
    out->list = j_list;
    out->append_event = j_append_event;
    out->list_events = j_list_events;
    out->destroy = j_destroy;
    return 0;
}
