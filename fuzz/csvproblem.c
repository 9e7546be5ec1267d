/*
 * Fuzz target: the CSV problem reader of opt/isingio.h ("i,j,w" edges,
 * QUBO terms or Ising couplings; problem.h says what is checked).  The
 * first byte chooses the kind (mod 3: Max-Cut, QUBO, Ising), the rest is
 * the file.
 */
#include "problem.h"

void fuzz_one(const uint8_t *data, size_t len)
{
	static const int kinds[3] = {PROBLEM_MAXCUT, PROBLEM_QUBO, PROBLEM_ISING};
	if (len < 1)
		return;
	fuzz_problem(kinds[data[0] % 3], FORMAT_CSV, data + 1, len - 1);
}
