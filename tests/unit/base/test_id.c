/* UUIDs: generation, strict parsing, formatting, ordering. */
#include "testutil.h"

static void test_generate_is_v4_and_unique(void **state)
{
    (void)state;
    triage_id_t prev = {{0}};
    for (int i = 0; i < 1000; i++) {
        triage_id_t id;
        assert_ok(triage_id_generate(&id));
        assert_int_equal(id.bytes[6] >> 4, 4);          /* version 4 */
        assert_int_equal(id.bytes[8] & 0xc0, 0x80);     /* RFC 4122 variant */
        assert_false(triage_id_is_nil(&id));
        assert_int_not_equal(triage_id_compare(&id, &prev), 0);
        prev = id;
    }
    assert_status(triage_id_generate(NULL), TRIAGE_EINVAL);
    assert_error_arg("out");
}

static void test_parse_format_round_trip(void **state)
{
    (void)state;
    triage_id_t id;
    assert_ok(triage_id_parse(&id, "0123ABCD-4567-89ab-CDEF-0123456789ab"));
    assert_int_equal(id.bytes[0], 0x01);
    assert_int_equal(id.bytes[3], 0xcd);
    assert_int_equal(id.bytes[15], 0xab);
    char buf[TRIAGE_ID_STRLEN];
    assert_ok(triage_id_format(buf, sizeof buf, &id));
    assert_string_equal(buf, "0123abcd-4567-89ab-cdef-0123456789ab");
    for (int i = 0; i < 100; i++) {
        triage_id_t a, b;
        assert_ok(triage_id_generate(&a));
        assert_ok(triage_id_format(buf, sizeof buf, &a));
        assert_int_equal(strlen(buf), 36);
        assert_ok(triage_id_parse(&b, buf));
        assert_int_equal(triage_id_compare(&a, &b), 0);
    }
}

static void test_parse_rejects_malformed(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "0123abcd-4567-89ab-cdef-0123456789a",     /* 35 chars */
        "0123abcd-4567-89ab-cdef-0123456789abc",   /* 37 chars */
        "0123abcd45-67-89ab-cdef-0123456789ab",    /* hyphen misplaced */
        "0123abcd-4567-89ab-cdef_0123456789ab",
        "0123abcd-4567-89ab-cdef-0123456789ag",    /* non-hex */
        "{0123abcd-4567-89ab-cdef-0123456789ab}",
        " 0123abcd-4567-89ab-cdef-0123456789ab",
        "0123abcd-4567-89ab-cdef-0123456789ab ",
        "0123abcd456789abcdef0123456789ab",        /* no hyphens */
        "0123abc-d4567-89ab-cdef-0123456789ab",
        "urn:uuid:0123abcd-4567-89ab-cdef-0123456789ab",
        "0123abcd-4567-89ab-cdef-0123456789a\n",
        "-0123abcd-4567-89ab-cdef-0123456789a",
        "0123abcd--567-89ab-cdef-0123456789ab",
        "------------------------------------",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        triage_id_t id;
        memset(&id, 0x5a, sizeof id);
        if (triage_id_parse(&id, bad[i]) != TRIAGE_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_error_arg("text");
        for (int k = 0; k < 16; k++)
            assert_int_equal(id.bytes[k], 0x5a);
    }
    triage_id_t id;
    assert_status(triage_id_parse(NULL, "0123abcd-4567-89ab-cdef-0123456789ab"), TRIAGE_EINVAL);
    assert_status(triage_id_parse(&id, NULL), TRIAGE_EINVAL);
}

static void test_format_checks(void **state)
{
    (void)state;
    triage_id_t id = {{0}};
    char small[TRIAGE_ID_STRLEN - 1] = "";
    assert_status(triage_id_format(small, sizeof small, &id), TRIAGE_EINVAL);
    assert_error_arg("size");
    assert_status(triage_id_format(NULL, 37, &id), TRIAGE_EINVAL);
    char buf[TRIAGE_ID_STRLEN];
    assert_status(triage_id_format(buf, sizeof buf, NULL), TRIAGE_EINVAL);
    assert_ok(triage_id_format(buf, sizeof buf, &id));
    assert_string_equal(buf, "00000000-0000-0000-0000-000000000000");
}

static void test_compare_and_nil(void **state)
{
    (void)state;
    triage_id_t a = {{0}}, b = {{0}};
    assert_true(triage_id_is_nil(&a));
    assert_true(triage_id_is_nil(NULL));
    b.bytes[15] = 1;
    assert_false(triage_id_is_nil(&b));
    assert_true(triage_id_compare(&a, &b) < 0);
    assert_true(triage_id_compare(&b, &a) > 0);
    assert_int_equal(triage_id_compare(&a, &a), 0);
    assert_true(triage_id_compare(NULL, &a) < 0);
    assert_true(triage_id_compare(&a, NULL) > 0);
    assert_int_equal(triage_id_compare(NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_is_v4_and_unique),
        cmocka_unit_test(test_parse_format_round_trip),
        cmocka_unit_test(test_parse_rejects_malformed),
        cmocka_unit_test(test_format_checks),
        cmocka_unit_test(test_compare_and_nil),
    };
    return cmocka_run_group_tests_name("id", tests, NULL, NULL);
}
