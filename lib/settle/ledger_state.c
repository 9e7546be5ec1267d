/* ledger_state: the holdings a ledger's entries build up - per unit, a
 * search tree (tsearch(3)) of disjoint serial blocks, each held,
 * surrendered or retired by one account with one vintage; neighbours
 * that agree are merged, so a ledger of whole-block moves keeps a few
 * blocks per account.  ledger_state_apply() checks an entry fully
 * before it changes anything. */
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strindex.h"
#include "settle/ledger.h"

enum { HELD, SURRENDERED, RETIRED };

typedef struct block {
	int64_t first, last;
	int32_t account;
	int16_t vintage;
	uint8_t status;
} block;

typedef struct unit_tree {
	char name[LEDGER_UNIT_MAX + 1];
	void *root;
} unit_tree;

struct ledger_state {
	strindex *accounts;
	unit_tree *units;
	size_t nunits, cap;
};

/* Disjoint blocks: overlapping ones compare equal, so a one-serial key
 * finds the block holding it. */
static int block_cmp(const void *a, const void *b)
{
	const block *x = a, *y = b;
	if (x->last < y->first)
		return -1;
	if (x->first > y->last)
		return 1;
	return 0;
}

ledger_state *ledger_state_new(void)
{
	ledger_state *s = calloc(1, sizeof *s);
	if (s && !(s->accounts = sidx_new())) {
		free(s);
		return NULL;
	}
	return s;
}

void ledger_state_free(ledger_state *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nunits; i++)
		tdestroy(s->units[i].root, free);
	free(s->units);
	sidx_free(s->accounts);
	free(s);
}

static unit_tree *unit_of(ledger_state *s, const char *name, int add)
{
	for (size_t i = 0; i < s->nunits; i++)
		if (!strcmp(s->units[i].name, name))
			return &s->units[i];
	if (!add)
		return NULL;
	if (s->nunits == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		unit_tree *u = realloc(s->units, cap * sizeof *u);
		if (!u)
			return NULL;
		s->units = u;
		s->cap = cap;
	}
	unit_tree *u = &s->units[s->nunits++];
	snprintf(u->name, sizeof u->name, "%s", name);
	u->root = NULL;
	return u;
}

static block *find(const unit_tree *u, int64_t serial)
{
	block key = {.first = serial, .last = serial};
	void *node = tfind(&key, &u->root, block_cmp);
	return node ? *(block **)node : NULL;
}

static const char *status_verb(int status)
{
	return status == SURRENDERED ? "surrendered" : "retired";
}

/* Checks that account `from` holds every serial of en, of its vintage. */
static int check_held(const ledger_state *s, const unit_tree *u, long from, const ledger_entry *en, qe_err *e)
{
	int64_t at = en->first;
	while (at <= en->last) {
		const block *b = u ? find(u, at) : NULL;
		if (!b) {
			/* the end of the gap: the next issued serial or the range's end */
			int64_t end = at;
			while (end < en->last && !(u && find(u, end + 1)))
				end++;
			return qe_err_set(e, QE_DATA,
					  "serials %lld-%lld of %s were never issued: %s's balance would go negative",
					  (long long)at, (long long)end, en->unit, en->from);
		}
		int64_t end = b->last < en->last ? b->last : en->last;
		if (b->status != HELD)
			return qe_err_set(e, QE_DATA, "serials %lld-%lld of %s were %s by %s: they never move again",
					  (long long)at, (long long)end, en->unit, status_verb(b->status),
					  sidx_name(s->accounts, (size_t)b->account));
		if (b->account != from)
			return qe_err_set(e, QE_DATA,
					  "serials %lld-%lld of %s are held by %s, not %s (double spend)",
					  (long long)at, (long long)end, en->unit,
					  sidx_name(s->accounts, (size_t)b->account), en->from);
		if (b->vintage != en->vintage)
			return qe_err_set(e, QE_DATA, "serials %lld-%lld of %s are vintage %d, not %d",
					  (long long)at, (long long)end, en->unit, b->vintage, en->vintage);
		at = end + 1;
	}
	return QE_OK;
}

/* Cuts the block holding serial at (if it starts before at) in two, so
 * that a block starts at `at`. */
static int split_at(unit_tree *u, int64_t at)
{
	block *b = find(u, at);
	if (!b || b->first == at)
		return 0;
	block *right = malloc(sizeof *right);
	if (!right)
		return -1;
	*right = *b;
	right->first = at;
	b->last = at - 1; /* still in order: the tree needs no change */
	if (!tsearch(right, &u->root, block_cmp)) {
		b->last = right->last;
		free(right);
		return -1;
	}
	return 0;
}

static int same_owner(const block *a, const block *b)
{
	return a->account == b->account && a->vintage == b->vintage && a->status == b->status;
}

/* Replaces whatever lies in [nb.first, nb.last] by nb, merged with equal
 * neighbours.  The range is cut free of other blocks first. */
static int put_block(unit_tree *u, block nb)
{
	if (split_at(u, nb.first) || (nb.last < INT64_MAX && split_at(u, nb.last + 1)))
		return -1;
	for (int64_t at = nb.first; at <= nb.last;) {
		block *b = find(u, at);
		if (!b) {
			at++;
			continue; /* not reached: the range was checked whole */
		}
		at = b->last + 1;
		tdelete(b, &u->root, block_cmp);
		free(b);
	}
	block *left = nb.first > 0 ? find(u, nb.first - 1) : NULL;
	if (left && same_owner(left, &nb)) {
		nb.first = left->first;
		tdelete(left, &u->root, block_cmp);
		free(left);
	}
	block *right = find(u, nb.last + 1);
	if (right && same_owner(right, &nb)) {
		nb.last = right->last;
		tdelete(right, &u->root, block_cmp);
		free(right);
	}
	block *p = malloc(sizeof *p);
	if (!p)
		return -1;
	*p = nb;
	if (!tsearch(p, &u->root, block_cmp)) {
		free(p);
		return -1;
	}
	return 0;
}

int ledger_state_apply(ledger_state *s, const ledger_entry *en, qe_err *e)
{
	unit_tree *u = unit_of(s, en->unit, 0);
	block nb = {.first = en->first, .last = en->last, .vintage = (int16_t)en->vintage};
	const char *owner = en->kind == LEDGER_TRANSFER || en->kind == LEDGER_ISSUE ? en->to : en->from;
	if (en->kind == LEDGER_ISSUE) {
		block key = {.first = en->first, .last = en->last};
		const void *node = u ? tfind(&key, &u->root, block_cmp) : NULL;
		if (node) {
			const block *b = *(block *const *)node;
			return qe_err_set(e, QE_DATA, "serials %lld-%lld of %s were already issued (block %lld-%lld)",
					  (long long)en->first, (long long)en->last, en->unit, (long long)b->first,
					  (long long)b->last);
		}
	} else {
		long from = sidx_find(s->accounts, en->from, strlen(en->from));
		int rc = check_held(s, u, from, en, e);
		if (rc)
			return rc;
	}
	nb.status = en->kind == LEDGER_SURRENDER ? SURRENDERED : en->kind == LEDGER_RETIRE ? RETIRED : HELD;
	long acct = sidx_add(s->accounts, owner, strlen(owner), NULL);
	if (acct < 0 || !(u = unit_of(s, en->unit, 1)))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	nb.account = (int32_t)acct;
	if (put_block(u, nb))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	return QE_OK;
}

/* --- balances ------------------------------------------------------------ */
typedef struct walk {
	const block **v;
	const char **unit;
	size_t n, cap;
	const char *cur_unit;
	int oom;
} walk;

static void collect(const void *node, VISIT which, void *closure)
{
	walk *w = closure;
	if (which != postorder && which != leaf)
		return;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		const block **v = realloc(w->v, cap * sizeof *v);
		const char **un = realloc(w->unit, cap * sizeof *un);
		if (v)
			w->v = v;
		if (un)
			w->unit = un;
		if (!v || !un) {
			w->oom = 1;
			return;
		}
		w->cap = cap;
	}
	w->unit[w->n] = w->cur_unit;
	w->v[w->n++] = *(const block *const *)node;
}

static int balance_cmp(const void *a, const void *b)
{
	const ledger_balance *x = a, *y = b;
	int c = strcmp(x->account, y->account);
	if (!c)
		c = strcmp(x->unit, y->unit);
	if (!c)
		c = (x->vintage > y->vintage) - (x->vintage < y->vintage);
	return c;
}

int ledger_state_balances(const ledger_state *s, ledger_balance **out, size_t *n, qe_err *e)
{
	walk w = {0};
	for (size_t i = 0; i < s->nunits && !w.oom; i++) {
		w.cur_unit = s->units[i].name;
		twalk_r(s->units[i].root, collect, &w);
	}
	ledger_balance *rows = w.oom ? NULL : malloc((w.n ? w.n : 1) * sizeof *rows);
	if (!rows) {
		free(w.v);
		free(w.unit);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < w.n; i++) {
		const block *b = w.v[i];
		int64_t q = b->last - b->first + 1;
		rows[i] = (ledger_balance){sidx_name(s->accounts, (size_t)b->account), w.unit[i], b->vintage,
					   b->status == HELD ? q : 0, b->status == SURRENDERED ? q : 0,
					   b->status == RETIRED ? q : 0};
	}
	free(w.v);
	free(w.unit);
	if (w.n > 1) /* a null base of no rows is undefined */
		qsort(rows, w.n, sizeof *rows, balance_cmp);
	size_t m = 0;
	for (size_t i = 0; i < w.n; i++) {
		if (m && !balance_cmp(&rows[m - 1], &rows[i])) {
			rows[m - 1].held += rows[i].held;
			rows[m - 1].surrendered += rows[i].surrendered;
			rows[m - 1].retired += rows[i].retired;
		} else {
			rows[m++] = rows[i];
		}
	}
	*out = rows;
	*n = m;
	return QE_OK;
}

/* --- the blocks one account holds ---------------------------------------- */
typedef struct held_walk {
	ledger_block *v;
	size_t n, cap;
	long account;
	int oom;
} held_walk;

static void collect_held(const void *node, VISIT which, void *closure)
{
	held_walk *w = closure;
	const block *b = *(const block *const *)node;
	if ((which != postorder && which != leaf) || b->account != w->account || b->status != HELD || w->oom)
		return;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		ledger_block *v = realloc(w->v, cap * sizeof *v);
		if (!v) {
			w->oom = 1;
			return;
		}
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = (ledger_block){b->first, b->last, b->vintage};
}

int ledger_state_held(const ledger_state *s, const char *account, const char *unit, ledger_block **out,
		      size_t *n, qe_err *e)
{
	held_walk w = {.account = sidx_find(s->accounts, account, strlen(account))};
	const unit_tree *u = unit_of((ledger_state *)s, unit, 0);
	*out = NULL;
	*n = 0;
	if (w.account >= 0 && u)
		twalk_r(u->root, collect_held, &w); /* in order: increasing serials */
	if (w.oom) {
		free(w.v);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	*out = w.v;
	*n = w.n;
	return QE_OK;
}
