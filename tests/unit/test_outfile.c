/* Output sets (lib/io/outfile qe_outset): several outputs, CSV and HDF5,
 * committed together or not at all. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/h5table.h"
#include "io/outfile.h"
#include "unit.h"

static char dir[] = "/tmp/qe-outset-XXXXXX";

static const char *at(const char *name)
{
	static char buf[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");
	fputs(text, f);
	fclose(f);
}

/* The file's first line, or "" when it does not exist. */
static const char *get(const char *name)
{
	static char buf[64];
	FILE *f = fopen(at(name), "r");
	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, sizeof buf, f))
			buf[0] = '\0';
		fclose(f);
	}
	return buf;
}

/* Files of directory dn whose name holds pat. */
static int count_in(const char *dn, const char *pat)
{
	int n = 0;
	DIR *d = opendir(dn);
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += strstr(de->d_name, pat) != NULL;
	if (d)
		closedir(d);
	return n;
}

/* Files of the directory whose name holds ".tmp." */
static int temps_left(void)
{
	return count_in(dir, ".tmp.");
}

static void test_all_together(void)
{
	qe_err e;
	qe_outset *s = outset_new();
	put("a.csv", "old a");
	qe_out *a = outset_open(s, at("a.csv"), &e), *b = outset_open(s, at("b.csv"), &e);
	UT_CHECK(a && b, "two members open");
	fputs("new a", a->fp);
	fputs("new b", b->fp);
	UT_EQ_INT(temps_left(), 2, "one temporary file per member");
	UT_EQ_INT(outset_sync(s, &e), 0, "sync");
	UT_EQ_STR(get("a.csv"), "old a", "sync renames nothing");
	UT_EQ_INT(access(at("b.csv"), F_OK), -1, "new target absent after sync");
	UT_EQ_INT(outset_commit(s, &e), 0, "commit");
	UT_EQ_STR(get("a.csv"), "new a", "first member committed");
	UT_EQ_STR(get("b.csv"), "new b", "second member committed");
	UT_EQ_INT(temps_left(), 0, "no temporary file after commit");
	UT_CHECK(outset_member(s, 0) == NULL, "set empty after commit");
	outset_free(s);
}

static void test_last_fails(void)
{
	qe_err e;
	qe_outset *s = outset_new();
	put("a.csv", "old a");
	put("b.csv", "old b");
	qe_out *a = outset_open(s, at("a.csv"), &e), *b = outset_open(s, at("b.csv"), &e);
	qe_out *full = outset_open(s, "/dev/full", &e);
	UT_CHECK(a && b && full, "three members open");
	fputs("new a", a->fp);
	fputs("new b", b->fp);
	fputs("x", full->fp);
	UT_EQ_INT(outset_commit(s, &e), QE_IO, "a failed member fails the commit");
	UT_CHECK(strstr(e.msg, "/dev/full") != NULL, "the error names the failed output");
	UT_EQ_STR(get("a.csv"), "old a", "first previous file untouched");
	UT_EQ_STR(get("b.csv"), "old b", "second previous file untouched");
	UT_EQ_INT(temps_left(), 0, "no temporary file after a failed commit");

	/* an output that cannot be opened leaves the set as it was */
	a = outset_open(s, at("a.csv"), &e);
	fputs("newer a", a->fp);
	UT_CHECK(outset_open(s, at("no/such/dir.csv"), &e) == NULL, "open in a missing directory");
	UT_EQ_INT(e.code, QE_IO, "missing directory is an I/O error");
	UT_CHECK(outset_member(s, 0) == a && outset_member(s, 1) == NULL, "set unchanged");
	outset_abort(s);
	UT_EQ_STR(get("a.csv"), "old a", "abort keeps the previous file");
	UT_EQ_INT(temps_left(), 0, "no temporary file after abort");
	outset_free(s);
}

static void test_discard_one(void)
{
	qe_err e;
	qe_outset *s = outset_new();
	put("a.csv", "old a");
	put("b.csv", "old b");
	qe_out *a = outset_open(s, at("a.csv"), &e), *b = outset_open(s, at("b.csv"), &e);
	fputs("new a", a->fp);
	fputs("new b", b->fp);
	outset_discard(s, a);
	UT_EQ_INT(temps_left(), 1, "discard removes that member's temporary file");
	UT_EQ_INT(outset_commit(s, &e), 0, "commit the rest");
	UT_EQ_STR(get("a.csv"), "old a", "discarded member's previous file kept");
	UT_EQ_STR(get("b.csv"), "new b", "the other member committed");
	/* freeing a set with members discards them */
	a = outset_open(s, at("a.csv"), &e);
	fputs("newer a", a->fp);
	outset_free(s);
	UT_EQ_STR(get("a.csv"), "old a", "free discards uncommitted members");
	UT_EQ_INT(temps_left(), 0, "no temporary file after free");
}

static int write_h5_table(h5file *f, qe_err *e)
{
	static const h5tab_colspec cols[] = {{"x", H5TAB_DOUBLE, NULL}};
	h5tab_writer *w = h5tab_begin(f, "t", cols, 1, e);
	if (!w)
		return e->code;
	h5tab_set_double(w, 0, 1.5);
	return h5tab_end_row(w, e);
}

static void test_hdf5_member(void)
{
	qe_err e;
	qe_outset *s = outset_new();
	put("v.h5", "old h5");
	h5file *f = h5file_create_in(s, at("v.h5"), &e);
	qe_out *c = outset_open(s, at("c.csv"), &e), *full = outset_open(s, "/dev/full", &e);
	UT_CHECK(f && c && full, "HDF5 and CSV members open");
	UT_EQ_INT(write_h5_table(f, &e), 0, "write the HDF5 table");
	fputs("c", c->fp);
	fputs("x", full->fp);
	UT_EQ_INT(outset_commit(s, &e), QE_IO, "failing CSV member fails the HDF5 one too");
	UT_EQ_STR(get("v.h5"), "old h5", "previous HDF5 target untouched");
	UT_EQ_INT(access(at("c.csv"), F_OK), -1, "CSV member not written");
	UT_EQ_INT(temps_left(), 0, "no temporary file left");

	/* the set finishes and closes the file at commit */
	f = h5file_create_in(s, at("v.h5"), &e);
	c = outset_open(s, at("c.csv"), &e);
	UT_EQ_INT(write_h5_table(f, &e), 0, "write the HDF5 table again");
	fputs("c", c->fp);
	UT_EQ_INT(outset_commit(s, &e), 0, "commit HDF5 and CSV");
	h5tab_reader *r = h5tab_open(at("v.h5"), "t", &e);
	UT_CHECK(r && h5tab_next(r, &e) == 1 && h5tab_double(r, 0) == 1.5, "HDF5 member readable");
	h5tab_close(r);
	UT_EQ_STR(get("c.csv"), "c", "CSV member committed");

	/* h5file_abort drops a member; h5file_commit closes one early */
	f = h5file_create_in(s, at("w.h5"), &e);
	h5file_abort(f);
	UT_CHECK(outset_member(s, 0) == NULL, "h5file_abort removes the member");
	f = h5file_create_in(s, at("w.h5"), &e);
	UT_EQ_INT(write_h5_table(f, &e), 0, "write w.h5");
	UT_EQ_INT(h5file_commit(f, &e), 0, "h5file_commit closes a member");
	UT_EQ_INT(access(at("w.h5"), F_OK), -1, "not renamed before the set commits");
	UT_EQ_INT(outset_commit(s, &e), 0, "commit");
	UT_EQ_INT(access(at("w.h5"), F_OK), 0, "renamed by the set's commit");
	UT_CHECK(h5file_create_in(s, "/dev/null", &e) == NULL, "HDF5 member refuses a device");
	UT_EQ_INT(temps_left(), 0, "no temporary file left");
	outset_free(s);
}

static int mode_of(const char *name)
{
	struct stat st;
	return stat(at(name), &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* The mode of the temporary file of the set's only member. */
static int temp_mode(const qe_outset *s)
{
	struct stat st;
	const qe_out *o = outset_member(s, 0);
	return o && o->tmp && stat(o->tmp, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* A replaced output keeps its permission bits (a 0600 P&L must not come
 * back 0644); a new one is 0666 less the umask. */
static void test_keep_mode(void)
{
	qe_err e;
	qe_outset *s = outset_new();
	mode_t old = umask(022);

	put("a.csv", "old a");
	chmod(at("a.csv"), 0600);
	qe_out *a = outset_open(s, at("a.csv"), &e);
	fputs("new a", a->fp);
	UT_EQ_INT(temp_mode(s) & 077, 0, "temporary of a 0600 target not readable by others while written");
	UT_EQ_INT(outset_commit(s, &e), 0, "commit over a 0600 file");
	UT_EQ_STR(get("a.csv"), "new a", "0600 file replaced");
	UT_EQ_INT(mode_of("a.csv"), 0600, "replaced CSV keeps 0600 under umask 022");

	/* more open than the umask allows, and read-only: kept too */
	chmod(at("a.csv"), 0664);
	a = outset_open(s, at("a.csv"), &e);
	fputs("newer a", a->fp);
	UT_EQ_INT(outset_commit(s, &e), 0, "commit over a 0664 file");
	UT_EQ_INT(mode_of("a.csv"), 0664, "replaced CSV keeps 0664 under umask 022");
	chmod(at("a.csv"), 0440);
	a = outset_open(s, at("a.csv"), &e);
	fputs("newest a", a->fp);
	UT_EQ_INT(outset_commit(s, &e), 0, "commit over a read-only file");
	UT_EQ_INT(mode_of("a.csv"), 0440, "replaced read-only CSV stays 0440");

	/* HDF5 members of a set, and a file of its own (h5file_create) */
	put("v.h5", "old h5");
	chmod(at("v.h5"), 0600);
	h5file *f = h5file_create_in(s, at("v.h5"), &e);
	UT_CHECK(f != NULL, "HDF5 member over a 0600 file");
	UT_EQ_INT(temp_mode(s) & 077, 0, "HDF5 temporary not readable by others while written");
	UT_EQ_INT(write_h5_table(f, &e), 0, "write the HDF5 table");
	UT_EQ_INT(outset_commit(s, &e), 0, "commit the HDF5 member");
	UT_EQ_INT(mode_of("v.h5"), 0600, "replaced HDF5 member keeps 0600");
	chmod(at("v.h5"), 0444);
	f = h5file_create_in(s, at("v.h5"), &e);
	UT_CHECK(f != NULL, "HDF5 member over a read-only file");
	UT_EQ_INT(f ? write_h5_table(f, &e) : -1, 0, "write it");
	UT_EQ_INT(outset_commit(s, &e), 0, "commit it");
	UT_EQ_INT(mode_of("v.h5"), 0444, "replaced read-only HDF5 member stays 0444");
	chmod(at("v.h5"), 0640);
	f = h5file_create(at("v.h5"), &e);
	UT_CHECK(f != NULL, "h5file_create over a 0640 file");
	UT_EQ_INT(f ? write_h5_table(f, &e) : -1, 0, "write it");
	UT_EQ_INT(f ? h5file_commit(f, &e) : -1, 0, "h5file_commit");
	UT_EQ_INT(mode_of("v.h5"), 0640, "h5file_commit keeps 0640");

	/* new files: 0666 less the umask, whatever else the set holds */
	a = outset_open(s, at("b.csv"), &e);
	f = h5file_create_in(s, at("w.h5"), &e);
	UT_CHECK(a && f, "new CSV and HDF5 members");
	UT_EQ_INT(f ? write_h5_table(f, &e) : -1, 0, "write the HDF5 table");
	UT_EQ_INT(outset_commit(s, &e), 0, "commit new files");
	UT_EQ_INT(mode_of("b.csv"), 0644, "new CSV 0644 under umask 022");
	UT_EQ_INT(mode_of("w.h5"), 0644, "new HDF5 0644 under umask 022");
	unlink(at("b.csv"));
	unlink(at("w.h5"));
	umask(077);
	a = outset_open(s, at("b.csv"), &e);
	f = h5file_create_in(s, at("w.h5"), &e);
	UT_EQ_INT(f ? write_h5_table(f, &e) : -1, 0, "write the HDF5 table");
	UT_EQ_INT(outset_commit(s, &e), 0, "commit new files under umask 077");
	UT_EQ_INT(mode_of("b.csv"), 0600, "new CSV 0600 under umask 077");
	UT_EQ_INT(mode_of("w.h5"), 0600, "new HDF5 0600 under umask 077");
	/* and a 0644 file replaced under umask 077 stays 0644 */
	chmod(at("b.csv"), 0644);
	qe_out o;
	UT_EQ_INT(out_open(&o, at("b.csv"), &e), 0, "out_open over a 0644 file");
	fputs("b", o.fp);
	UT_EQ_INT(out_commit(&o, &e), 0, "out_commit");
	UT_EQ_INT(mode_of("b.csv"), 0644, "out_commit keeps 0644 under umask 077");
	UT_EQ_INT(temps_left(), 0, "no temporary file left");
	umask(old);
	outset_free(s);
}

/* The directory of a renamed output is synced; errors come back. */
static void test_sync_dir(void)
{
	UT_EQ_INT(out_sync_dir(at("a.csv")), 0, "directory of an output synced");
	UT_EQ_INT(out_sync_dir("bare-name.csv"), 0, "a bare name: the working directory");
	UT_EQ_INT(out_sync_dir("/top-level.csv"), 0, "a file in /");
	UT_EQ_INT(out_sync_dir(at("no/such/file.csv")), ENOENT, "missing directory reported");
}


/* ---- commit journal: a kill inside the commit ------------------------------ */

static char sub[160]; /* a second directory: a set may span two */

static void stop_at(void *ctx, size_t renamed)
{
	if (renamed == *(size_t *)ctx)
		raise(SIGKILL);
}

/* Child: commits a.csv, b.csv (dir) and c.csv (sub) and is killed after
 * the kill_at-th rename (0: just after the journal is armed). */
static int killed_commit(size_t kill_at, int two_dirs)
{
	pid_t pid = fork();
	if (pid == 0) {
		qe_err e;
		char c[256];
		qe_outset *s = outset_new();
		snprintf(c, sizeof c, "%s/c.csv", two_dirs ? sub : dir);
		qe_out *m[3] = {outset_open(s, at("a.csv"), &e), outset_open(s, at("b.csv"), &e),
				outset_open(s, c, &e)};
		for (int i = 0; i < 3; i++)
			if (!m[i] || fputs("new", m[i]->fp) < 0)
				_exit(3);
		outset_set_commit_hook(s, stop_at, &kill_at);
		_exit(outset_commit(s, &e) ? 4 : 0);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) ? WTERMSIG(st) : -WEXITSTATUS(st);
}

static const char *get_c(int two_dirs)
{
	static char buf[64];
	char c[256];
	snprintf(c, sizeof c, "%s/c.csv", two_dirs ? sub : dir);
	FILE *f = fopen(c, "r");
	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, sizeof buf, f))
			buf[0] = '\0';
		fclose(f);
	}
	return buf;
}

static void put_c(int two_dirs, const char *text)
{
	char c[256];
	snprintf(c, sizeof c, "%s/c.csv", two_dirs ? sub : dir);
	FILE *f = fopen(c, "w");
	fputs(text, f);
	fclose(f);
}

/* For every point between two renames of a three-output commit, in one
 * directory and across two: the killed run leaves an armed journal; the
 * next run that opens an output in any of the directories completes the
 * commit: every output new, no journal and no temporary file left. */
static void test_kill_inside_commit(void)
{
	char name[128], c[256];
	for (int two = 0; two < 2; two++)
		for (size_t k = 0; k <= 3; k++) {
			put("a.csv", "old");
			put("b.csv", "old");
			put_c(two, "old");
			snprintf(name, sizeof name, "%s, killed after rename %zu", two ? "two directories" : "one directory", k);
			int sig = killed_commit(k, two);
			UT_EQ_INT(sig, SIGKILL, name);
			int olds = !strcmp(get("a.csv"), "old") + !strcmp(get("b.csv"), "old") + !strcmp(get_c(two), "old");
			UT_EQ_INT(olds, 3 - (int)k, "the kill left a mix, as a kill between renames does");
			UT_EQ_INT(count_in(dir, ".qe-journal"), 1, "the armed journal is left beside the first output");
			UT_EQ_INT(count_in(sub, ".qe-journal.see"), two, "and its copy in the other directory");
			/* the next run: an output in the copy's directory (odd k) or in the first one */
			qe_err e;
			qe_outset *s = outset_new();
			snprintf(c, sizeof c, "%s/other.csv", two && k % 2 ? sub : dir);
			qe_out *o = outset_open(s, c, &e);
			UT_CHECK(o != NULL, "the next run opens its output");
			outset_abort(s);
			outset_free(s);
			UT_EQ_STR(get("a.csv"), "new", "rolled forward: a");
			UT_EQ_STR(get("b.csv"), "new", "rolled forward: b");
			UT_EQ_STR(get_c(two), "new", "rolled forward: c");
			UT_EQ_INT(count_in(dir, ".qe-journal") + count_in(sub, ".qe-journal"), 0, "no journal left");
			UT_EQ_INT(temps_left() + count_in(sub, ".tmp."), 0, "no temporary file left");
		}
	snprintf(c, sizeof c, "%s/c.csv", sub);
	unlink(c);
	unlink(at("c.csv"));
}

/* The pid of a process that has exited. */
static long dead_pid(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return (long)pid;
}

/* A run killed while it wrote its journal (never armed): nothing was
 * renamed, so the next run removes the journal, its copy and the
 * temporary files: every previous output stays.  Leftovers of a live
 * process are not touched; an armed journal that cannot be read stops
 * the run with a message naming it. */
static void test_unarmed_and_leftovers(void)
{
	char p[256];
	long dead = dead_pid(), live = (long)getppid();
	put("a.csv", "old");
	put("b.csv", "old");
	snprintf(p, sizeof p, "a.csv.tmp.%ld.Ab3xYz", dead);
	put(p, "new");
	snprintf(p, sizeof p, "b.csv.tmp.%ld.Qq0000", dead);
	put(p, "new");
	snprintf(p, sizeof p, ".a.csv.%ld.qe-journal.new", dead);
	put(p, "qe-journal 1"); /* cut short */
	snprintf(p, sizeof p, "%s/.a.csv.%ld.qe-journal.see", sub, dead);
	FILE *f = fopen(p, "w");
	fputs("qe-jo", f);
	fclose(f);
	snprintf(p, sizeof p, "a.csv.tmp.%ld.LiveXy", live);
	put(p, "a live run's");
	put("a.csv.tmp.OldFmt", "not ours"); /* no pid: not recognised */
	qe_err e;
	UT_EQ_INT(out_recover(at("a.csv"), &e), 0, "recover in the first directory");
	UT_EQ_STR(get("a.csv"), "old", "unarmed journal: a keeps its previous content");
	UT_EQ_STR(get("b.csv"), "old", "unarmed journal: b keeps its previous content");
	UT_EQ_INT(count_in(dir, ".qe-journal"), 0, "the unarmed journal is removed");
	UT_EQ_INT(count_in(dir, "a.csv.tmp."), 2, "a's dead temporary removed; a live run's and an unknown name kept");
	UT_EQ_INT(count_in(dir, "b.csv.tmp."), 1, "b's temporary waits for a run writing b");
	snprintf(p, sizeof p, "%s/x.csv", sub);
	UT_EQ_INT(out_recover(p, &e), 0, "recover in the copy's directory");
	UT_EQ_INT(count_in(sub, ".qe-journal"), 0, "the cut-short copy is removed");
	UT_EQ_INT(out_recover(at("b.csv"), &e), 0, "recover for b");
	UT_EQ_INT(count_in(dir, "b.csv.tmp."), 0, "b's dead temporary removed");
	snprintf(p, sizeof p, "a.csv.tmp.%ld.LiveXy", live);
	unlink(at(p));
	unlink(at("a.csv.tmp.OldFmt"));

	/* a live process's journal is its own business */
	snprintf(p, sizeof p, ".a.csv.%ld.qe-journal", live);
	put(p, "garbage");
	UT_EQ_INT(out_recover(at("a.csv"), &e), 0, "a live run's journal is skipped");
	UT_EQ_INT(count_in(dir, ".qe-journal"), 1, "and kept");
	unlink(at(p));
	/* an armed journal of a dead process that cannot be read */
	snprintf(p, sizeof p, ".a.csv.%ld.qe-journal", dead);
	put(p, "garbage");
	qe_outset *s = outset_new();
	UT_CHECK(outset_open(s, at("a.csv"), &e) == NULL, "an unreadable armed journal stops the run");
	UT_EQ_INT(e.code, QE_IO, "as an I/O error");
	UT_CHECK(strstr(e.msg, p) != NULL, "naming the journal");
	outset_free(s);
	unlink(at(p));

	/* temporary files carry the pid of their run */
	s = outset_new();
	qe_out *o = outset_open(s, at("a.csv"), &e);
	snprintf(p, sizeof p, "a.csv.tmp.%ld.", (long)getpid());
	UT_CHECK(o && o->tmp && strstr(o->tmp, p), "temporary name holds the pid");
	outset_free(s);
	unlink(at("a.csv"));
	unlink(at("b.csv"));
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_all_together();
	test_last_fails();
	test_discard_one();
	test_hdf5_member();
	test_keep_mode();
	test_sync_dir();
	snprintf(sub, sizeof sub, "%s/sub", dir);
	mkdir(sub, 0777);
	test_kill_inside_commit();
	test_unarmed_and_leftovers();
	unlink(at("other.csv"));
	rmdir(sub);
	const char *names[] = {"a.csv", "b.csv", "c.csv", "v.h5", "w.h5"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(at(names[i]));
	rmdir(dir);
	return ut_done();
}
