#include "io/h5table.h"
#include "io/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Rows per chunk, both the HDF5 chunk size and the write/read batch: big
 * enough for deflate to work well, small enough that a many-column table
 * buffers only a few MB. */
#define CHUNK_ROWS 16384
#define DEFLATE_LEVEL 1

static const char *const kind_names[] = {NULL, "string", "double", "int64", "date", "timestamp"};

const char *h5tab_kind_name(int kind)
{
	return kind >= H5TAB_STRING && kind <= H5TAB_TIMESTAMP ? kind_names[kind] : NULL;
}

int h5tab_kind_of(int formats_type)
{
	switch (formats_type) {
	case CT_NUM:
		return H5TAB_DOUBLE;
	case CT_INT:
		return H5TAB_INT64;
	case CT_DATE:
		return H5TAB_DATE;
	case CT_TS:
		return H5TAB_TIMESTAMP;
	default:
		return H5TAB_STRING;
	}
}

int h5tab_colspecs(int kind, h5tab_colspec *out, int max)
{
	const formats_table *t = formats_get(kind);
	if (!t || t->ncols > max)
		return -1;
	for (int i = 0; i < t->ncols; i++) {
		out[i].name = t->cols[i].name;
		out[i].kind = h5tab_kind_of(t->cols[i].type);
		out[i].units = t->cols[i].units;
	}
	return t->ncols;
}

static int kind_from_name(const char *s)
{
	for (int k = H5TAB_STRING; k <= H5TAB_TIMESTAMP; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return 0;
}

static void quiet_hdf5(void)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* The innermost HDF5 error description, to append to our message. */
static herr_t first_desc(unsigned n, const H5E_error2_t *err, void *data)
{
	char *buf = data;
	if (n == 0 && err->desc)
		snprintf(buf, 200, "%s", err->desc);
	return 0;
}

static const char *h5_detail(char buf[200])
{
	buf[0] = '\0';
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_desc, buf);
	H5Eclear2(H5E_DEFAULT);
	return buf[0] ? buf : "HDF5 error";
}

static hid_t utf8_vlen_type(void)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t < 0)
		return t;
	H5Tset_size(t, H5T_VARIABLE);
	H5Tset_cset(t, H5T_CSET_UTF8);
	return t;
}

static int attr_write_str(hid_t obj, const char *name, const char *value)
{
	hid_t t = utf8_vlen_type(), sp = H5Screate(H5S_SCALAR), a = -1;
	int rc = -1;
	if (t >= 0 && sp >= 0)
		a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
	if (a >= 0 && H5Awrite(a, t, &value) >= 0)
		rc = 0;
	if (a >= 0)
		H5Aclose(a);
	if (sp >= 0)
		H5Sclose(sp);
	if (t >= 0)
		H5Tclose(t);
	return rc;
}

static int attr_write_int(hid_t obj, const char *name, int64_t value)
{
	hid_t sp = H5Screate(H5S_SCALAR), a = -1;
	int rc = -1;
	if (sp >= 0)
		a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
	if (a >= 0 && H5Awrite(a, H5T_NATIVE_INT64, &value) >= 0)
		rc = 0;
	if (a >= 0)
		H5Aclose(a);
	if (sp >= 0)
		H5Sclose(sp);
	return rc;
}

/* Reads a string attribute (variable or fixed length) into a malloc'd
 * string; NULL if absent or unreadable. */
static char *attr_read_str(hid_t obj, const char *name)
{
	char *out = NULL;
	if (H5Aexists(obj, name) <= 0)
		return NULL;
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	if (a < 0)
		return NULL;
	hid_t ft = H5Aget_type(a);
	if (ft >= 0 && H5Tget_class(ft) == H5T_STRING) {
		if (H5Tis_variable_str(ft) > 0) {
			hid_t mt = utf8_vlen_type();
			char *s = NULL;
			if (H5Aread(a, mt, &s) >= 0 && s) {
				out = strdup(s);
				H5free_memory(s);
			}
			H5Tclose(mt);
		} else {
			size_t n = H5Tget_size(ft);
			hid_t mt = H5Tcopy(ft);
			out = calloc(1, n + 1);
			if (out && H5Aread(a, mt, out) < 0) {
				free(out);
				out = NULL;
			}
			H5Tclose(mt);
		}
	}
	if (ft >= 0)
		H5Tclose(ft);
	H5Aclose(a);
	return out;
}

static int attr_read_int(hid_t obj, const char *name, int64_t *out)
{
	if (H5Aexists(obj, name) <= 0)
		return -1;
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	if (a < 0)
		return -1;
	int rc = H5Aread(a, H5T_NATIVE_INT64, out) >= 0 ? 0 : -1;
	H5Aclose(a);
	return rc;
}

/* --- writer ------------------------------------------------------------ */

struct wcol {
	char *name;
	int kind;
	size_t width;   /* fixed-length string bytes, 0 = variable length */
	hid_t ftype;    /* fixed-length string type, or -1 */
	int overflow;   /* a value longer than width was set */
	hid_t ds;
	void *buf;      /* CHUNK_ROWS doubles, int64s or char* */
	int set;        /* field set on the current row */
};

struct h5tab_writer {
	h5file *f;
	char *table;
	hid_t grp;
	int ncols;
	struct wcol *cols;
	size_t nbuf;     /* rows buffered */
	int64_t nrows;   /* rows flushed to the file */
	/* string arena for the buffered rows */
	char *arena;
	size_t arena_len, arena_cap;
	h5tab_writer *next;
};

struct h5file {
	hid_t fid;
	char *path, *tmp;
	h5tab_writer *tables;
	hid_t strtype;
	/* a member of an output set (h5file_create_in): the set owns the
	 * temporary file, fsyncs and renames it */
	qe_outset *set;
	qe_out *member;
};

static h5file *h5file_new(const char *path, qe_err *e)
{
	quiet_hdf5();
	h5file *f = calloc(1, sizeof *f);
	if (!f) {
		qe_err_set(e, QE_INTERNAL, "%s: out of memory", path ? path : "-");
		return NULL;
	}
	f->fid = -1;
	f->strtype = -1;
	return f;
}

/* HDF5 files are written with seeks: no stdout, devices or pipes. */
static int refuse_stream(int how, const char *path, qe_err *e)
{
	if (how != OUT_STDOUT && how != OUT_SPECIAL)
		return 0;
	return qe_err_set(e, QE_IO, "%s: HDF5 output needs a regular file (it is written with seeks), "
			  "not standard output, a device or a pipe", path ? path : "-");
}

static int open_hdf5(h5file *f, const char *file, qe_err *e)
{
	char d[200];
	f->fid = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	f->strtype = utf8_vlen_type();
	if (f->fid < 0 || f->strtype < 0)
		return qe_err_set(e, QE_IO, "%s: cannot create HDF5 file: %s", f->path, h5_detail(d));
	return 0;
}

h5file *h5file_create(const char *path, qe_err *e)
{
	h5file *f = h5file_new(path, e);
	if (!f)
		return NULL;
	/* the same path rules as outfile.h: through a symlink the temporary
	 * file and the rename act on its target, so the link survives */
	int how = out_resolve_target(path, &f->path, e);
	if (how < 0 || refuse_stream(how, path, e)) {
		free(f->path);
		free(f);
		return NULL;
	}
	path = f->path;
	if (how == OUT_ATOMIC) {
		int fd = out_mktemp_beside(path, &f->tmp, e);
		if (fd < 0) {
			free(f->path);
			free(f);
			return NULL;
		}
		close(fd);
	}
	if (open_hdf5(f, f->tmp ? f->tmp : path, e)) {
		h5file_abort(f);
		return NULL;
	}
	return f;
}

static void writer_free(h5tab_writer *w)
{
	for (int i = 0; i < w->ncols; i++) {
		if (w->cols[i].ds >= 0)
			H5Dclose(w->cols[i].ds);
		if (w->cols[i].ftype >= 0)
			H5Tclose(w->cols[i].ftype);
		free(w->cols[i].name);
		free(w->cols[i].buf);
	}
	if (w->grp >= 0)
		H5Gclose(w->grp);
	free(w->cols);
	free(w->arena);
	free(w->table);
	free(w);
}

static void unlink_writer(h5tab_writer *w)
{
	for (h5tab_writer **p = &w->f->tables; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			return;
		}
}

/* Closes whatever is open and frees f; the temporary file is left. */
static void h5file_release(h5file *f)
{
	while (f->tables) {
		h5tab_writer *w = f->tables;
		f->tables = w->next;
		writer_free(w);
	}
	if (f->strtype >= 0)
		H5Tclose(f->strtype);
	if (f->fid >= 0)
		H5Fclose(f->fid);
	H5Eclear2(H5E_DEFAULT);
	free(f->tmp);
	free(f->path);
	free(f);
}

void h5file_abort(h5file *f)
{
	if (!f)
		return;
	if (f->set) {
		/* the set calls member_discard(f) and removes the temporary */
		outset_discard(f->set, f->member);
		return;
	}
	char *tmp = f->tmp;
	f->tmp = NULL;
	h5file_release(f);
	if (tmp)
		unlink(tmp);
	free(tmp);
}

/* Finishes the open tables and closes the file (f is not freed). */
static int h5file_close(h5file *f, qe_err *e)
{
	char d[200];
	int rc = 0;
	while (f->tables && rc == 0)
		rc = h5tab_finish(f->tables, e);
	if (rc)
		return rc;
	H5Tclose(f->strtype);
	f->strtype = -1;
	if (H5Fflush(f->fid, H5F_SCOPE_GLOBAL) < 0 || H5Fclose(f->fid) < 0)
		rc = qe_err_set(e, QE_IO, "%s: write error: %s", f->path, h5_detail(d));
	f->fid = -1;
	return rc;
}

static int member_close(void *ctx, qe_err *e)
{
	h5file *f = ctx;
	int rc = h5file_close(f, e);
	h5file_release(f);
	return rc;
}

static void member_discard(void *ctx)
{
	h5file_release(ctx);
}

static const struct out_file_ops member_ops = {member_close, member_discard};

h5file *h5file_create_in(qe_outset *s, const char *path, qe_err *e)
{
	char *target = NULL;
	int how = out_resolve_target(path, &target, e);
	free(target);
	if (how < 0 || refuse_stream(how, path, e))
		return NULL;
	h5file *f = h5file_new(path, e);
	qe_out *m = f ? outset_add_file(s, path, &member_ops, f, e) : NULL;
	if (!m) {
		free(f);
		return NULL;
	}
	f->set = s;
	f->member = m;
	if (!(f->path = strdup(m->path))) {
		qe_err_set(e, QE_INTERNAL, "%s: out of memory", m->path);
		h5file_abort(f);
		return NULL;
	}
	if (open_hdf5(f, m->tmp ? m->tmp : m->path, e)) {
		h5file_abort(f);
		return NULL;
	}
	return f;
}

int h5file_commit(h5file *f, qe_err *e)
{
	if (f->set) {
		/* closed now; the set fsyncs and renames it with the others */
		qe_outset *s = f->set;
		qe_out *m = f->member;
		m->ctx = NULL;
		int rc = member_close(f, e);
		if (rc)
			outset_discard(s, m);
		return rc;
	}
	int rc = h5file_close(f, e);
	if (!rc && f->tmp) {
		/* as outfile.c does for its members: the target's mode, fsync,
		 * rename, then the directory */
		int fd = open(f->tmp, O_RDONLY | O_CLOEXEC);
		int err = 0;
		if (fd < 0 || (err = out_keep_mode(fd, f->path)) != 0 || fsync(fd) != 0)
			err = err ? err : errno;
		if (fd >= 0)
			close(fd);
		if (!err && rename(f->tmp, f->path) != 0)
			err = errno;
		if (!err) {
			free(f->tmp);
			f->tmp = NULL;
			if ((err = out_sync_dir(f->path)) != 0)
				rc = qe_err_set(e, QE_IO, "%s: write error: syncing its directory: %s",
						f->path, strerror(err));
		} else {
			rc = qe_err_set(e, QE_IO, "%s: write error: %s", f->path, strerror(err));
		}
	}
	if (rc) {
		h5file_abort(f);
		return rc;
	}
	h5file_release(f);
	return 0;
}

static hid_t fixed_str_type(size_t width)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t < 0)
		return t;
	if (H5Tset_size(t, width) < 0 || H5Tset_strpad(t, H5T_STR_NULLPAD) < 0 ||
	    H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
		H5Tclose(t);
		return -1;
	}
	return t;
}

static hid_t create_column(h5tab_writer *w, const h5tab_colspec *c, struct wcol *wc)
{
	hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {CHUNK_ROWS};
	hid_t sp = H5Screate_simple(1, dims, maxdims);
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	hid_t ftype = c->kind == H5TAB_STRING ? (wc->width ? wc->ftype : w->f->strtype)
		      : c->kind == H5TAB_DOUBLE ? H5T_IEEE_F64LE : H5T_STD_I64LE;
	hid_t ds = -1;
	/* no object times: the same table gives the same bytes whenever it is
	 * written (qe-ingest is idempotent, manifests compare digests) */
	if (sp >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
	    H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0) {
		if (c->kind == H5TAB_DOUBLE) {
			double nan = NAN;
			H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan);
		} else if (c->kind != H5TAB_STRING) {
			int64_t miss = H5TAB_MISSING_INT;
			H5Pset_fill_value(dcpl, H5T_NATIVE_INT64, &miss);
		}
		/* rows are appended a whole chunk at a time: no chunk cache
		 * (HDF5's default is 1 MiB per dataset) */
		hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
		if (dapl >= 0)
			H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, H5D_CHUNK_CACHE_W0_DEFAULT);
		ds = H5Dcreate2(w->grp, c->name, ftype, sp, H5P_DEFAULT, dcpl, dapl >= 0 ? dapl : H5P_DEFAULT);
		if (dapl >= 0)
			H5Pclose(dapl);
	}
	if (ds >= 0 && (attr_write_str(ds, "kind", kind_names[c->kind]) < 0 ||
			(c->units && *c->units && attr_write_str(ds, "units", c->units) < 0))) {
		H5Dclose(ds);
		ds = -1;
	}
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (sp >= 0)
		H5Sclose(sp);
	return ds;
}

h5tab_writer *h5tab_begin(h5file *f, const char *table, const h5tab_colspec *cols, int ncols,
			  qe_err *e)
{
	return h5tab_begin_fixed(f, table, cols, ncols, NULL, e);
}

h5tab_writer *h5tab_begin_fixed(h5file *f, const char *table, const h5tab_colspec *cols,
				int ncols, const size_t *widths, qe_err *e)
{
	char d[200];
	h5tab_writer *w = calloc(1, sizeof *w);
	size_t hdr_len = 1;
	char *hdr = NULL;
	if (!w || !(w->cols = calloc((size_t)(ncols > 0 ? ncols : 1), sizeof *w->cols)) ||
	    !(w->table = strdup(table))) {
		if (w)
			free(w->cols);
		free(w);
		qe_err_set(e, QE_INTERNAL, "%s: out of memory", f->path);
		return NULL;
	}
	w->f = f;
	w->grp = -1;
	w->ncols = ncols;
	for (int i = 0; i < ncols; i++) {
		w->cols[i].ds = -1;
		w->cols[i].ftype = -1;
	}
	for (int i = 0; i < ncols; i++) {
		if (!h5tab_kind_name(cols[i].kind)) {
			qe_err_set(e, QE_INTERNAL, "h5table: column '%s': bad kind %d", cols[i].name,
				   cols[i].kind);
			goto fail;
		}
		size_t width = cols[i].kind == H5TAB_STRING && widths ? widths[i] : 0;
		size_t esz = width ? width
			     : cols[i].kind == H5TAB_STRING ? sizeof(char *)
			     : cols[i].kind == H5TAB_DOUBLE ? sizeof(double) : sizeof(int64_t);
		w->cols[i].kind = cols[i].kind;
		w->cols[i].width = width;
		if (width && (w->cols[i].ftype = fixed_str_type(width)) < 0) {
			qe_err_set(e, QE_INTERNAL, "%s: cannot make a string type: %s", f->path, h5_detail(d));
			goto fail;
		}
		w->cols[i].name = strdup(cols[i].name);
		w->cols[i].buf = malloc(esz * CHUNK_ROWS);
		if (!w->cols[i].name || !w->cols[i].buf) {
			qe_err_set(e, QE_INTERNAL, "%s: out of memory", f->path);
			goto fail;
		}
		hdr_len += strlen(cols[i].name) + 1;
	}
	hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
	if (gcpl >= 0 && H5Pset_obj_track_times(gcpl, 0) >= 0)
		w->grp = H5Gcreate2(f->fid, table, H5P_DEFAULT, gcpl, H5P_DEFAULT);
	else
		w->grp = -1;
	if (gcpl >= 0)
		H5Pclose(gcpl);
	if (w->grp < 0) {
		qe_err_set(e, QE_IO, "%s: cannot create table '%s': %s", f->path, table, h5_detail(d));
		goto fail;
	}
	hdr = calloc(1, hdr_len);
	if (!hdr) {
		qe_err_set(e, QE_INTERNAL, "%s: out of memory", f->path);
		goto fail;
	}
	for (int i = 0; i < ncols; i++) {
		if (i)
			strcat(hdr, ",");
		strcat(hdr, cols[i].name);
	}
	if (attr_write_str(w->grp, "schema", table) < 0 ||
	    attr_write_int(w->grp, "schema_version", H5TAB_SCHEMA_VERSION) < 0 ||
	    attr_write_str(w->grp, "columns", hdr) < 0) {
		qe_err_set(e, QE_IO, "%s: table '%s': cannot write attributes: %s", f->path, table,
			   h5_detail(d));
		goto fail;
	}
	free(hdr);
	hdr = NULL;
	for (int i = 0; i < ncols; i++) {
		w->cols[i].ds = create_column(w, &cols[i], &w->cols[i]);
		if (w->cols[i].ds < 0) {
			qe_err_set(e, QE_IO, "%s: table '%s': cannot create column '%s': %s", f->path,
				   table, cols[i].name, h5_detail(d));
			goto fail;
		}
	}
	w->next = f->tables;
	f->tables = w;
	return w;
fail:
	free(hdr);
	writer_free(w);
	return NULL;
}

/* Strings are kept in the arena as offsets until the flush (the arena may
 * move when it grows); the char* slots are resolved just before writing. */
void h5tab_set_str(h5tab_writer *w, int col, const char *s, size_t len)
{
	if (col < 0 || col >= w->ncols || w->cols[col].kind != H5TAB_STRING)
		return;
	struct wcol *c = &w->cols[col];
	if (c->width) {
		char *slot = (char *)c->buf + w->nbuf * c->width;
		if (len > c->width) {
			c->overflow = 1;
			len = c->width;
		}
		memcpy(slot, s, len);
		memset(slot + len, 0, c->width - len);
		c->set = 1;
		return;
	}
	size_t need = w->arena_len + len + 1;
	if (need > w->arena_cap) {
		size_t cap = w->arena_cap ? w->arena_cap : 65536;
		while (cap < need)
			cap *= 2;
		char *na = realloc(w->arena, cap);
		if (!na)
			return; /* left missing; h5tab_end_row cannot see it, but OOM here is fatal soon */
		w->arena = na;
		w->arena_cap = cap;
	}
	memcpy(w->arena + w->arena_len, s, len);
	w->arena[w->arena_len + len] = '\0';
	((uintptr_t *)w->cols[col].buf)[w->nbuf] = (uintptr_t)w->arena_len;
	w->arena_len += len + 1;
	w->cols[col].set = 1;
}

void h5tab_set_double(h5tab_writer *w, int col, double x)
{
	if (col < 0 || col >= w->ncols || w->cols[col].kind != H5TAB_DOUBLE)
		return;
	((double *)w->cols[col].buf)[w->nbuf] = x;
	w->cols[col].set = 1;
}

void h5tab_set_int64(h5tab_writer *w, int col, int64_t x)
{
	if (col < 0 || col >= w->ncols || w->cols[col].kind == H5TAB_STRING ||
	    w->cols[col].kind == H5TAB_DOUBLE)
		return;
	((int64_t *)w->cols[col].buf)[w->nbuf] = x;
	w->cols[col].set = 1;
}

static int flush_rows(h5tab_writer *w, qe_err *e)
{
	char d[200];
	if (w->nbuf == 0)
		return 0;
	hsize_t start[1] = {(hsize_t)w->nrows}, count[1] = {w->nbuf};
	hsize_t newsize[1] = {(hsize_t)w->nrows + w->nbuf};
	hid_t msp = H5Screate_simple(1, count, NULL);
	if (msp < 0)
		return qe_err_set(e, QE_INTERNAL, "%s: %s", w->f->path, h5_detail(d));
	for (int i = 0; i < w->ncols; i++) {
		struct wcol *c = &w->cols[i];
		hid_t mtype = c->kind == H5TAB_STRING ? (c->width ? c->ftype : w->f->strtype)
			      : c->kind == H5TAB_DOUBLE ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
		if (c->kind == H5TAB_STRING && !c->width) {
			uintptr_t *off = c->buf;
			char **ptr = c->buf;
			for (size_t k = 0; k < w->nbuf; k++)
				ptr[k] = w->arena + off[k];
		}
		hid_t fsp = -1;
		int ok = H5Dset_extent(c->ds, newsize) >= 0 && (fsp = H5Dget_space(c->ds)) >= 0 &&
			 H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
			 H5Dwrite(c->ds, mtype, msp, fsp, H5P_DEFAULT, c->buf) >= 0;
		if (fsp >= 0)
			H5Sclose(fsp);
		if (!ok) {
			int rc = qe_err_set(e, QE_IO, "%s: table '%s': write error in column '%s': %s",
					    w->f->path, w->table, c->name, h5_detail(d));
			H5Sclose(msp);
			return rc;
		}
	}
	H5Sclose(msp);
	w->nrows += (int64_t)w->nbuf;
	w->nbuf = 0;
	w->arena_len = 0;
	return 0;
}

int h5tab_end_row(h5tab_writer *w, qe_err *e)
{
	for (int i = 0; i < w->ncols; i++) {
		struct wcol *c = &w->cols[i];
		if (c->overflow)
			return qe_err_set(e, QE_INTERNAL, "%s: table '%s': value longer than the %zu bytes of column '%s'",
					  w->f->path, w->table, c->width, c->name);
		if (!c->set) {
			if (c->kind == H5TAB_STRING)
				h5tab_set_str(w, i, "", 0);
			else if (c->kind == H5TAB_DOUBLE)
				((double *)c->buf)[w->nbuf] = NAN;
			else
				((int64_t *)c->buf)[w->nbuf] = H5TAB_MISSING_INT;
			if (!c->set && c->kind == H5TAB_STRING)
				return qe_err_set(e, QE_INTERNAL, "%s: out of memory", w->f->path);
		}
		c->set = 0;
	}
	if (++w->nbuf == CHUNK_ROWS)
		return flush_rows(w, e);
	return 0;
}

int h5tab_finish(h5tab_writer *w, qe_err *e)
{
	int rc = flush_rows(w, e);
	unlink_writer(w);
	writer_free(w);
	return rc;
}

int64_t h5tab_rows_written(const h5tab_writer *w)
{
	return w->nrows + (int64_t)w->nbuf;
}

/* --- reader ------------------------------------------------------------ */

struct rcol {
	char *name, *units;
	int kind;
	size_t width;  /* fixed-length strings: bytes, else 0 */
	char *cur;     /* fixed-length: the current value, NUL-terminated */
	hid_t ds, memtype, owntype;
	void *buf;
};

struct h5tab_reader {
	char *path, *table, *schema;
	int64_t version;
	hid_t fid, grp, strtype;
	int ncols;
	struct rcol *cols;
	int64_t nrows, base; /* base = first row held in the buffers */
	size_t nbuf, pos;    /* rows in the buffers, next row to hand out */
	int started;
};

static herr_t collect_group(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
	char **found = data;
	H5O_info_t oi;
	(void)info;
	if (H5Oget_info_by_name(g, name, &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_GROUP)
		return 0;
	if (found[0]) {
		found[1] = (char *)1; /* more than one */
		return 1;
	}
	found[0] = strdup(name);
	return 0;
}

static void release_strings(h5tab_reader *r)
{
	for (int i = 0; i < r->ncols; i++) {
		struct rcol *c = &r->cols[i];
		if (c->kind != H5TAB_STRING || c->width || !r->nbuf)
			continue;
		hsize_t n[1] = {r->nbuf};
		hid_t sp = H5Screate_simple(1, n, NULL);
		H5Dvlen_reclaim(c->memtype, sp, H5P_DEFAULT, c->buf);
		H5Sclose(sp);
	}
	r->nbuf = 0;
}

void h5tab_close(h5tab_reader *r)
{
	if (!r)
		return;
	release_strings(r);
	for (int i = 0; r->cols && i < r->ncols; i++) {
		if (r->cols[i].ds >= 0)
			H5Dclose(r->cols[i].ds);
		if (r->cols[i].owntype >= 0)
			H5Tclose(r->cols[i].owntype);
		free(r->cols[i].cur);
		free(r->cols[i].name);
		free(r->cols[i].units);
		free(r->cols[i].buf);
	}
	free(r->cols);
	if (r->strtype >= 0)
		H5Tclose(r->strtype);
	if (r->grp >= 0)
		H5Gclose(r->grp);
	if (r->fid >= 0)
		H5Fclose(r->fid);
	H5Eclear2(H5E_DEFAULT);
	free(r->path);
	free(r->table);
	free(r->schema);
	free(r);
}

/* Splits the "columns" attribute into names; returns the count or -1. */
static int split_columns(const char *hdr, char ***out)
{
	int n = 1;
	for (const char *p = hdr; *p; p++)
		n += *p == ',';
	char **v = calloc((size_t)n, sizeof *v);
	if (!v)
		return -1;
	const char *p = hdr;
	for (int i = 0; i < n; i++) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		v[i] = strndup(p, len);
		p = c ? c + 1 : p + len;
	}
	*out = v;
	return n;
}

static int open_column(h5tab_reader *r, struct rcol *c, qe_err *e)
{
	char d[200];
	c->ds = H5Dopen2(r->grp, c->name, H5P_DEFAULT);
	if (c->ds < 0)
		return qe_err_set(e, QE_DATA, "%s: table '%s': column '%s' missing or unreadable: %s",
				  r->path, r->table, c->name, h5_detail(d));
	hid_t ft = H5Dget_type(c->ds), sp = H5Dget_space(c->ds);
	H5T_class_t cls = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
	hsize_t dims[1] = {0};
	int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
	if (rank == 1)
		H5Sget_simple_extent_dims(sp, dims, NULL);
	char *kind = attr_read_str(c->ds, "kind");
	c->units = attr_read_str(c->ds, "units");
	int k = kind ? kind_from_name(kind) : 0;
	free(kind);
	int rc = 0;
	if (rank != 1) {
		rc = qe_err_set(e, QE_DATA, "%s: table '%s': column '%s' is not a 1-D dataset", r->path,
				r->table, c->name);
	} else if (cls == H5T_STRING && H5Tis_variable_str(ft) > 0) {
		c->kind = H5TAB_STRING;
		c->memtype = r->strtype;
	} else if (cls == H5T_STRING) {
		c->kind = H5TAB_STRING;
		c->width = H5Tget_size(ft);
		c->memtype = c->owntype = H5Tcopy(ft);
		if (c->width == 0 || c->width > (1u << 20) || c->owntype < 0 ||
		    !(c->cur = malloc(c->width + 1)))
			rc = qe_err_set(e, QE_DATA, "%s: table '%s': column '%s': bad string type", r->path,
					r->table, c->name);
	} else if (cls == H5T_FLOAT) {
		c->kind = H5TAB_DOUBLE;
		c->memtype = H5T_NATIVE_DOUBLE;
	} else if (cls == H5T_INTEGER) {
		c->kind = (k == H5TAB_DATE || k == H5TAB_TIMESTAMP) ? k : H5TAB_INT64;
		c->memtype = H5T_NATIVE_INT64;
	} else {
		rc = qe_err_set(e, QE_DATA, "%s: table '%s': column '%s': unsupported HDF5 type",
				r->path, r->table, c->name);
	}
	if (!rc && c == r->cols)
		r->nrows = (int64_t)dims[0];
	else if (!rc && (int64_t)dims[0] != r->nrows)
		rc = qe_err_set(e, QE_DATA,
				"%s: table '%s': column '%s' has %llu rows, column '%s' has %lld", r->path,
				r->table, c->name, (unsigned long long)dims[0], r->cols[0].name,
				(long long)r->nrows);
	if (!rc && !(c->buf = malloc(CHUNK_ROWS * (c->width > 8 ? c->width : 8))))
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	if (ft >= 0)
		H5Tclose(ft);
	if (sp >= 0)
		H5Sclose(sp);
	return rc;
}

h5tab_reader *h5tab_open(const char *path, const char *table, qe_err *e)
{
	char d[200];
	quiet_hdf5();
	FILE *probe = fopen(path, "rb");
	if (!probe) {
		qe_err_set(e, QE_IO, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	fclose(probe);
	h5tab_reader *r = calloc(1, sizeof *r);
	if (!r || !(r->path = strdup(path))) {
		free(r);
		qe_err_set(e, QE_INTERNAL, "%s: out of memory", path);
		return NULL;
	}
	r->fid = r->grp = r->strtype = -1;
	if (H5Fis_hdf5(path) <= 0) {
		qe_err_set(e, QE_DATA, "%s: not an HDF5 file", path);
		goto fail;
	}
	r->fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (r->fid < 0) {
		qe_err_set(e, QE_DATA, "%s: cannot read HDF5 file (truncated or corrupt?): %s", path,
			   h5_detail(d));
		goto fail;
	}
	if (table) {
		r->table = strdup(table);
	} else {
		char *found[2] = {NULL, NULL};
		if (H5Literate(r->fid, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_group, found) < 0) {
			free(found[0]);
			qe_err_set(e, QE_DATA, "%s: cannot list tables (truncated or corrupt?): %s", path,
				   h5_detail(d));
			goto fail;
		}
		if (!found[0] || found[1]) {
			qe_err_set(e, QE_DATA, "%s: %s; name the table", path,
				   found[0] ? "holds several tables" : "holds no table");
			free(found[0]);
			goto fail;
		}
		r->table = found[0];
	}
	r->grp = H5Gopen2(r->fid, r->table, H5P_DEFAULT);
	if (r->grp < 0) {
		qe_err_set(e, QE_DATA, "%s: no table '%s'", path, r->table);
		goto fail;
	}
	r->schema = attr_read_str(r->grp, "schema");
	if (attr_read_int(r->grp, "schema_version", &r->version) < 0)
		r->version = 0;
	char *hdr = attr_read_str(r->grp, "columns");
	char **names = NULL;
	if (!hdr) {
		qe_err_set(e, QE_DATA, "%s: table '%s' has no 'columns' attribute", path, r->table);
		goto fail;
	}
	r->ncols = split_columns(hdr, &names);
	free(hdr);
	if (r->ncols < 0 || !(r->cols = calloc((size_t)r->ncols, sizeof *r->cols))) {
		if (r->ncols > 0)
			for (int i = 0; i < r->ncols; i++)
				free(names[i]);
		free(names);
		r->ncols = 0;
		qe_err_set(e, QE_INTERNAL, "out of memory");
		goto fail;
	}
	for (int i = 0; i < r->ncols; i++) {
		r->cols[i].name = names[i];
		r->cols[i].ds = -1;
		r->cols[i].owntype = -1;
	}
	free(names);
	r->strtype = utf8_vlen_type();
	for (int i = 0; i < r->ncols; i++)
		if (open_column(r, &r->cols[i], e))
			goto fail;
	return r;
fail:
	h5tab_close(r);
	return NULL;
}

static int load_chunk(h5tab_reader *r, qe_err *e)
{
	char d[200];
	release_strings(r);
	int64_t left = r->nrows - r->base;
	size_t n = left > CHUNK_ROWS ? CHUNK_ROWS : (size_t)left;
	hsize_t start[1] = {(hsize_t)r->base}, count[1] = {n};
	hid_t msp = H5Screate_simple(1, count, NULL);
	for (int i = 0; i < r->ncols; i++) {
		struct rcol *c = &r->cols[i];
		hid_t fsp = H5Dget_space(c->ds);
		int ok = fsp >= 0 &&
			 H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
			 H5Dread(c->ds, c->memtype, msp, fsp, H5P_DEFAULT, c->buf) >= 0;
		if (fsp >= 0)
			H5Sclose(fsp);
		if (!ok) {
			/* strings of the columns already read must be reclaimed */
			r->nbuf = n;
			int saved = r->ncols;
			r->ncols = i;
			release_strings(r);
			r->ncols = saved;
			H5Sclose(msp);
			return qe_err_set(e, QE_DATA,
					  "%s: table '%s': column '%s': cannot read rows %lld-%lld "
					  "(truncated or corrupt?): %s",
					  r->path, r->table, c->name, (long long)r->base,
					  (long long)(r->base + (int64_t)n - 1), h5_detail(d));
		}
	}
	H5Sclose(msp);
	r->nbuf = n;
	r->pos = 0;
	return 0;
}

int h5tab_next(h5tab_reader *r, qe_err *e)
{
	if (r->started)
		r->pos++;
	r->started = 1;
	if (r->pos < r->nbuf)
		return 1;
	r->base += (int64_t)r->nbuf;
	if (r->base >= r->nrows) {
		release_strings(r);
		return 0;
	}
	int rc = load_chunk(r, e);
	return rc ? -rc : 1;
}

const char *h5tab_table(const h5tab_reader *r) { return r->table; }
const char *h5tab_schema(const h5tab_reader *r) { return r->schema ? r->schema : ""; }
int64_t h5tab_schema_version(const h5tab_reader *r) { return r->version; }
int64_t h5tab_nrows(const h5tab_reader *r) { return r->nrows; }
int h5tab_ncols(const h5tab_reader *r) { return r->ncols; }
const char *h5tab_colname(const h5tab_reader *r, int col)
{
	return col >= 0 && col < r->ncols ? r->cols[col].name : "?";
}
int h5tab_colkind(const h5tab_reader *r, int col)
{
	return col >= 0 && col < r->ncols ? r->cols[col].kind : 0;
}
const char *h5tab_colunits(const h5tab_reader *r, int col)
{
	return col >= 0 && col < r->ncols && r->cols[col].units ? r->cols[col].units : "";
}
int h5tab_col(const h5tab_reader *r, const char *name)
{
	for (int i = 0; i < r->ncols; i++)
		if (strcmp(r->cols[i].name, name) == 0)
			return i;
	return -1;
}

static int readable(const h5tab_reader *r, int col)
{
	return col >= 0 && col < r->ncols && r->pos < r->nbuf;
}

const char *h5tab_str(const h5tab_reader *r, int col)
{
	if (!readable(r, col) || r->cols[col].kind != H5TAB_STRING)
		return "";
	const struct rcol *c = &r->cols[col];
	if (c->width) {
		memcpy(c->cur, (const char *)c->buf + r->pos * c->width, c->width);
		c->cur[c->width] = '\0';
		return c->cur;
	}
	const char *s = ((char **)r->cols[col].buf)[r->pos];
	return s ? s : "";
}

double h5tab_double(const h5tab_reader *r, int col)
{
	if (!readable(r, col) || r->cols[col].kind != H5TAB_DOUBLE)
		return NAN;
	return ((double *)r->cols[col].buf)[r->pos];
}

int64_t h5tab_int64(const h5tab_reader *r, int col)
{
	if (!readable(r, col) || r->cols[col].kind == H5TAB_STRING ||
	    r->cols[col].kind == H5TAB_DOUBLE)
		return H5TAB_MISSING_INT;
	return ((int64_t *)r->cols[col].buf)[r->pos];
}
