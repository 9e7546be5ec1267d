/*
 * Fuzz target: the G-set (rudy) graph reader of opt/isingio.h (problem.h says
 * what is checked).
 */
#include "problem.h"

void fuzz_one(const uint8_t *data, size_t len)
{
	fuzz_problem(PROBLEM_MAXCUT, FORMAT_RUDY, data, len);
}
