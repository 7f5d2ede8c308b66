/*
 * Durability under power loss (docs/domain.md §8): a commit the engine reported
 * must be on disk. An interposed SQLite VFS keeps, for every file, only the
 * bytes that were synced (a copy of the file at its last xSync); "power
 * loss" writes those copies out as the files a restarted machine would
 * find. After every acknowledged commit the copy must open with everything
 * committed so far. The checker is shown to fail on a connection with
 * synchronous = OFF (no fsync at commit), so a store that stopped syncing
 * fails here. Two engines on one file, and the migration of a schema-1
 * file, are held to the same.
 */
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storeutil.h"

static char tmpdir[64];

static int setup(void **state);
static int teardown(void **state);

/* ---- the power-loss VFS ------------------------------------------------------ */

#define MAX_FILES 16

typedef struct {
    char path[256];
    unsigned char *synced; /* the file as it was at its last sync; NULL: never synced */
    size_t len;
    long syncs;
} shadow;

static shadow shadows[MAX_FILES];
static sqlite3_vfs *real_vfs;
static long total_syncs;

static shadow *shadow_of(const char *path, int make)
{
    for (int i = 0; i < MAX_FILES; i++)
        if (shadows[i].path[0] && !strcmp(shadows[i].path, path))
            return &shadows[i];
    if (!make)
        return NULL;
    for (int i = 0; i < MAX_FILES; i++)
        if (!shadows[i].path[0]) {
            snprintf(shadows[i].path, sizeof shadows[i].path, "%s", path);
            return &shadows[i];
        }
    fail_msg("too many files in the power-loss VFS");
    return NULL;
}

static void shadow_drop(shadow *sh)
{
    free(sh->synced);
    memset(sh, 0, sizeof *sh);
}

typedef struct {
    sqlite3_file base;
    shadow *sh;          /* NULL for files without a name */
    sqlite3_file *real;  /* follows this struct */
} pl_file;

static int pl_close(sqlite3_file *f)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods ? p->real->pMethods->xClose(p->real) : SQLITE_OK;
}
static int pl_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xRead(p->real, buf, n, off);
}
static int pl_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xWrite(p->real, buf, n, off);
}
static int pl_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xTruncate(p->real, size);
}
/* A sync makes the file's current content durable: copy it. */
static int pl_sync(sqlite3_file *f, int flags)
{
    pl_file *p = (pl_file *)f;
    int rc = p->real->pMethods->xSync(p->real, flags);
    if (rc || !p->sh)
        return rc;
    sqlite3_int64 size;
    rc = p->real->pMethods->xFileSize(p->real, &size);
    if (rc)
        return rc;
    unsigned char *copy = malloc(size ? (size_t)size : 1);
    if (!copy)
        return SQLITE_NOMEM;
    if (size && (rc = p->real->pMethods->xRead(p->real, copy, (int)size, 0)) != SQLITE_OK) {
        free(copy);
        return rc;
    }
    free(p->sh->synced);
    p->sh->synced = copy;
    p->sh->len = (size_t)size;
    p->sh->syncs++;
    total_syncs++;
    return SQLITE_OK;
}
static int pl_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xFileSize(p->real, size);
}
static int pl_lock(sqlite3_file *f, int l)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xLock(p->real, l);
}
static int pl_unlock(sqlite3_file *f, int l)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xUnlock(p->real, l);
}
static int pl_check_reserved(sqlite3_file *f, int *out)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xCheckReservedLock(p->real, out);
}
static int pl_file_control(sqlite3_file *f, int op, void *arg)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xFileControl(p->real, op, arg);
}
static int pl_sector_size(sqlite3_file *f)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xSectorSize(p->real);
}
static int pl_device(sqlite3_file *f)
{
    pl_file *p = (pl_file *)f;
    /* Claim nothing (no atomic or sequential writes, no powersafe
     * overwrite) so SQLite may not skip a sync. */
    (void)p;
    return 0;
}
static int pl_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **out)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xShmMap(p->real, pg, sz, extend, out);
}
static int pl_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xShmLock(p->real, off, n, flags);
}
static void pl_shm_barrier(sqlite3_file *f)
{
    pl_file *p = (pl_file *)f;
    p->real->pMethods->xShmBarrier(p->real);
}
static int pl_shm_unmap(sqlite3_file *f, int del)
{
    pl_file *p = (pl_file *)f;
    return p->real->pMethods->xShmUnmap(p->real, del);
}

static const sqlite3_io_methods pl_io = {
    2, pl_close, pl_read, pl_write, pl_truncate, pl_sync, pl_file_size, pl_lock, pl_unlock,
    pl_check_reserved, pl_file_control, pl_sector_size, pl_device, pl_shm_map, pl_shm_lock,
    pl_shm_barrier, pl_shm_unmap, NULL, NULL};

static int pl_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)vfs;
    pl_file *p = (pl_file *)f;
    memset(p, 0, sizeof *p);
    p->real = (sqlite3_file *)(p + 1);
    int rc = real_vfs->xOpen(real_vfs, name, p->real, flags, out);
    if (rc)
        return rc;
    p->sh = name ? shadow_of(name, 1) : NULL;
    p->base.pMethods = &pl_io;
    return SQLITE_OK;
}

static int pl_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
    (void)vfs;
    shadow *sh = shadow_of(name, 0);
    if (sh)
        shadow_drop(sh);
    return real_vfs->xDelete(real_vfs, name, sync);
}

#define FWD(ret, fn, params, args)                                                          \
    static ret pl_##fn params { (void)vfs; return real_vfs->x##fn args; }
FWD(int, Access, (sqlite3_vfs * vfs, const char *n, int fl, int *out), (real_vfs, n, fl, out))
FWD(int, FullPathname, (sqlite3_vfs * vfs, const char *n, int sz, char *out),
    (real_vfs, n, sz, out))
FWD(int, Randomness, (sqlite3_vfs * vfs, int n, char *out), (real_vfs, n, out))
FWD(int, Sleep, (sqlite3_vfs * vfs, int us), (real_vfs, us))
FWD(int, CurrentTime, (sqlite3_vfs * vfs, double *out), (real_vfs, out))
FWD(int, GetLastError, (sqlite3_vfs * vfs, int n, char *out), (real_vfs, n, out))
FWD(int, CurrentTimeInt64, (sqlite3_vfs * vfs, sqlite3_int64 *out), (real_vfs, out))

static sqlite3_vfs pl_vfs;

static void install_vfs(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    assert_non_null(real_vfs);
    memset(&pl_vfs, 0, sizeof pl_vfs);
    pl_vfs.iVersion = 2;
    pl_vfs.szOsFile = (int)sizeof(pl_file) + real_vfs->szOsFile;
    pl_vfs.mxPathname = real_vfs->mxPathname;
    pl_vfs.zName = "power-loss";
    pl_vfs.xOpen = pl_open;
    pl_vfs.xDelete = pl_delete;
    pl_vfs.xAccess = pl_Access;
    pl_vfs.xFullPathname = pl_FullPathname;
    pl_vfs.xRandomness = pl_Randomness;
    pl_vfs.xSleep = pl_Sleep;
    pl_vfs.xCurrentTime = pl_CurrentTime;
    pl_vfs.xGetLastError = pl_GetLastError;
    pl_vfs.xCurrentTimeInt64 = pl_CurrentTimeInt64;
    /* The default VFS: the library's store opens its files through it. */
    assert_int_equal(sqlite3_vfs_register(&pl_vfs, 1), SQLITE_OK);
}

/* Power loss: writes what was synced of `src` and `src`-wal as `dst` and
 * `dst`-wal (a file never synced is empty; a deleted one is absent). */
static void power_loss_copy(const char *src, const char *dst)
{
    char s[300], d[300];
    for (int k = 0; k < 2; k++) {
        snprintf(s, sizeof s, "%s%s", src, k ? "-wal" : "");
        snprintf(d, sizeof d, "%s%s", dst, k ? "-wal" : "");
        unlink(d);
        shadow *sh = shadow_of(s, 0);
        if (!sh && access(s, F_OK) != 0)
            continue; /* never existed, or deleted */
        FILE *fp = fopen(d, "wb");
        assert_non_null(fp);
        if (sh && sh->len)
            assert_int_equal(fwrite(sh->synced, 1, sh->len, fp), sh->len);
        fclose(fp);
    }
}

static void forget_files(void)
{
    for (int i = 0; i < MAX_FILES; i++)
        if (shadows[i].path[0])
            shadow_drop(&shadows[i]);
}

/* ---- the checks -------------------------------------------------------------- */

static void path_of(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
}

/* Opens the power-loss copy with the library and counts its clients; -1
 * when the copy cannot be opened at all. */
static long clients_after_power_loss(const char *db)
{
    char copy[300];
    snprintf(copy, sizeof copy, "%s.lost", db);
    power_loss_copy(db, copy);
    triage_store_t s;
    triage_engine_t *e = NULL;
    triage_sqlite_options_t o = TRIAGE_SQLITE_OPTIONS_INIT;
    o.create = 0;
    if (triage_store_sqlite(&s, copy, &o) != TRIAGE_OK ||
        triage_engine_open(&e, NULL, &s) != TRIAGE_OK)
        return -1;
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_client_list(&ids, &n, e));
    triage_free(ids);
    triage_engine_free(e);
    return (long)n;
}

/* The library's SQLite store: after every acknowledged commit, a power
 * loss keeps it. */
static void test_store_commits_survive_power_loss(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "durable.db");
    forget_files();
    triage_store_t s;
    triage_engine_t *e;
    assert_ok(triage_store_sqlite(&s, path, NULL));
    assert_ok(triage_engine_open(&e, NULL, &s));
    triage_client_t c = TRIAGE_CLIENT_INIT;
    for (long i = 1; i <= 20; i++) {
        long before = total_syncs;
        triage_id_t id;
        assert_ok(triage_client_create(&id, e, &c));
        if (total_syncs == before)
            fail_msg("commit %ld returned without a sync", i);
        long n = clients_after_power_loss(path);
        if (n != i)
            fail_msg("after commit %ld a power loss leaves %ld clients", i, n);
    }
    triage_engine_free(e);
}

/* Two engines on one file, writing in turn through their own connections:
 * every commit either of them acknowledged survives a power loss. */
static void test_two_engines_commits_survive_power_loss(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "durable-two.db");
    forget_files();
    triage_engine_t *e[2];
    for (int k = 0; k < 2; k++) {
        triage_store_t s;
        assert_ok(triage_store_sqlite(&s, path, NULL));
        assert_ok(triage_engine_open(&e[k], NULL, &s));
    }
    triage_client_t c = TRIAGE_CLIENT_INIT;
    for (long i = 1; i <= 10; i++) {
        triage_id_t id;
        assert_ok(triage_client_create(&id, e[i % 2], &c));
        long n = clients_after_power_loss(path);
        if (n != i)
            fail_msg("after commit %ld a power loss leaves %ld clients", i, n);
    }
    triage_engine_free(e[0]);
    triage_engine_free(e[1]);
}

/* The migration of a schema-1 file is one synced transaction: after it, a
 * power loss leaves the migrated database. */
static void test_migration_survives_power_loss(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "migrated.db");
    forget_files();
    /* the fixture, as if it had been on disk all along */
    FILE *in = fopen(TRIAGE_TEST_FIXTURES "/schema1-north-savo-20d.db", "rb");
    assert_non_null(in);
    shadow *sh = shadow_of(path, 1);
    unsigned char chunk[4096];
    size_t n;
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
        sh->synced = realloc(sh->synced, sh->len + n);
        memcpy(sh->synced + sh->len, chunk, n);
        sh->len += n;
        assert_int_equal(fwrite(chunk, 1, n, out), n);
    }
    fclose(in);
    fclose(out);
    triage_store_t s;
    long before = total_syncs;
    assert_ok(triage_store_sqlite(&s, path, NULL)); /* migrates */
    assert_true(total_syncs > before);
    s.destroy(s.userdata);
    /* the copy a restarted machine finds is of schema 2 already (opening
     * it does not migrate again) */
    char copy[300];
    snprintf(copy, sizeof copy, "%s.lost", path);
    power_loss_copy(path, copy);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(copy, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2);
    sqlite3_finalize(st);
    sqlite3_close(h);
    assert_int_equal(clients_after_power_loss(path), 97);
}

/* The checker itself: a connection with synchronous = OFF (no fsync at
 * commit) loses acknowledged commits in the power-loss copy; the same
 * connection with FULL does not. */
static long rows_after_power_loss(const char *db)
{
    char copy[300];
    snprintf(copy, sizeof copy, "%s.lost", db);
    power_loss_copy(db, copy);
    sqlite3 *h;
    long n = -1;
    if (sqlite3_open_v2(copy, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(h, "SELECT count(*) FROM t", -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(h);
    return n;
}

static long lost_commits(const char *name, const char *synchronous)
{
    char path[128], sql[128];
    path_of(path, sizeof path, name);
    forget_files();
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    snprintf(sql, sizeof sql,
             "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = %s;"
             " CREATE TABLE t(x);",
             synchronous);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    long lost = 0;
    for (long i = 1; i <= 20; i++) {
        assert_int_equal(sqlite3_exec(h, "INSERT INTO t VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
        if (rows_after_power_loss(path) != i)
            lost++;
    }
    sqlite3_close(h);
    return lost;
}

static void test_checker_catches_synchronous_off(void **state)
{
    (void)state;
    assert_int_equal(lost_commits("full.db", "FULL"), 0);
    long lost = lost_commits("off.db", "OFF");
    assert_int_equal(lost, 20); /* nothing was ever synced */
}

static int setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/triage-durable-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    install_vfs();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    forget_files();
    sqlite3_vfs_unregister(&pl_vfs);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_commits_survive_power_loss),
        cmocka_unit_test(test_two_engines_commits_survive_power_loss),
        cmocka_unit_test(test_migration_survives_power_loss),
        cmocka_unit_test(test_checker_catches_synchronous_off),
    };
    return cmocka_run_group_tests_name("durability", tests, setup, teardown);
}
