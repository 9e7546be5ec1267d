/*
 * unit: a minimal TAP producer for C unit tests.  Each check prints
 * "ok N - name" or "not ok N - name" (with the values on failure);
 * ut_done() prints the plan and returns the exit status.
 */
#ifndef QE_UNIT_H
#define QE_UNIT_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int ut_n, ut_failed;

static inline void ut_report(int ok, const char *name, const char *file, int line)
{
	ut_n++;
	if (!ok)
		ut_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", ut_n, name);
	if (!ok)
		printf("# failed at %s:%d\n", file, line);
}

#define UT_CHECK(cond, name) ut_report(!!(cond), (name), __FILE__, __LINE__)
#define UT_EQ_INT(a, b, name)                                                            \
	do {                                                                             \
		long long ut_a = (long long)(a), ut_b = (long long)(b);                  \
		ut_report(ut_a == ut_b, (name), __FILE__, __LINE__);                     \
		if (ut_a != ut_b)                                                        \
			printf("#   got %lld, want %lld\n", ut_a, ut_b);                     \
	} while (0)
#define UT_EQ_STR(a, b, name)                                                            \
	do {                                                                             \
		const char *ut_a = (a), *ut_b = (b);                                     \
		int ut_ok = ut_a && ut_b && strcmp(ut_a, ut_b) == 0;                     \
		ut_report(ut_ok, (name), __FILE__, __LINE__);                            \
		if (!ut_ok)                                                              \
			printf("#   got '%s', want '%s'\n", ut_a ? ut_a : "(null)",          \
			       ut_b ? ut_b : "(null)");                                      \
	} while (0)
/* |a-b| <= tol * max(1, |b|) */
#define UT_NEAR(a, b, tol, name)                                                         \
	do {                                                                             \
		double ut_a = (a), ut_b = (b);                                           \
		double ut_s = fabs(ut_b) > 1.0 ? fabs(ut_b) : 1.0;                       \
		int ut_ok = fabs(ut_a - ut_b) <= (tol) * ut_s;                           \
		ut_report(ut_ok, (name), __FILE__, __LINE__);                            \
		if (!ut_ok)                                                              \
			printf("#   got %.17g, want %.17g\n", ut_a, ut_b);                   \
	} while (0)

static inline int ut_done(void)
{
	printf("1..%d\n", ut_n);
	return ut_failed ? 1 : 0;
}

#endif
