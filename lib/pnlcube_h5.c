#include "pnlcube.h"

#include <stdio.h>
#include <string.h>

int pcube_is_hdf5(const char *path)
{
	static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
	unsigned char buf[8];
	FILE *fp = fopen(path, "rb");
	int is = 0;
	if (!fp)
		return 0;
	is = fread(buf, 1, 8, fp) == 8 && memcmp(buf, sig, 8) == 0;
	fclose(fp);
	return is;
}

int pcube_read_hdf5(pnl_cube *c, const char *path, qe_err *e)
{
	(void)c;
	return qe_err_set(e, QE_INTERNAL, "%s: HDF5 cube not implemented yet", path);
}

int pcube_write_hdf5(const pnl_cube *c, const char *path, qe_err *e)
{
	(void)c;
	return qe_err_set(e, QE_INTERNAL, "%s: HDF5 cube not implemented yet", path);
}
