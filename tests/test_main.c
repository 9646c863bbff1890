/* One Check runner: every tests/check_NAME.c defines suite_NAME(), listed in
 * the generated build/suites.h.  Fork mode (Check's default) keeps one
 * crashing test from hiding the others.  CK_RUN_SUITE selects one suite. */
#include <check.h>
#include <stdlib.h>

#define SUITE(n) Suite *suite_##n(void);
#include "suites.h"
#undef SUITE

int main(void)
{
    SRunner *sr = srunner_create(NULL);
#define SUITE(n) srunner_add_suite(sr, suite_##n());
#include "suites.h"
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
