/*
 * Fuzz target: the qbsolv .qubo reader of opt/isingio.h (problem.h says
 * what is checked).
 */
#include "problem.h"

void fuzz_one(const uint8_t *data, size_t len)
{
	fuzz_problem(PROBLEM_QUBO, FORMAT_QUBO, data, len);
}
