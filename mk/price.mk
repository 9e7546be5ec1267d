# qe-price: extra flags.  The Black-76 array kernel needs glibc's SIMD math
# declarations, which only appear under __FAST_MATH__; reassociation and
# reciprocal approximations are switched back off so results stay within
# libmvec's own (<= 4 ulp) error of the scalar code.  Inputs reaching the
# kernel are already checked finite, so finite-math-only changes nothing.
CFLAGS_black76_batch := -ffast-math -fno-associative-math -fno-reciprocal-math
