/* pay: the pain.001.001.09 credit transfer of the payments we owe (pay.h). */
#include "settle/pay.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/iban.h"
#include "core/strindex.h"
#include "io/csvio.h"
#include "io/formats.h"
#include "settle/invoice.h"

int pay_run_id_check(const char *id, qe_err *e)
{
	size_t n = strlen(id);
	if (n < 1 || n > PAY_RUN_ID_MAX)
		return qe_err_set(e, QE_USAGE, "run id '%s': 1..%d characters", id, PAY_RUN_ID_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return qe_err_set(e, QE_USAGE, "run id '%s': only letters, digits, '.', '_', '-'", id);
	}
	return 0;
}

/* --- bank details -------------------------------------------------------- */

/* One party's details: its name, and what is wrong with them (bad[0]
 * empty when nothing is). */
typedef struct party {
	char name[256], iban[40], bic[16];
	char where[256], bad[320];
} party;

typedef struct parties {
	strindex *ix;
	party *v;
	size_t cap;
} parties;

static void parties_free(parties *ps)
{
	sidx_free(ps->ix);
	free(ps->v);
}

/* The reason a party's IBAN or BIC (columns ci, cb of r) fails, in
 * p->where/p->bad; an empty one fails too. */
static void check_details(const csv_reader *r, int ci, int cb, party *p)
{
	size_t li, lb;
	const char *iban = csvr_field(r, ci, &li), *bic = csvr_field(r, cb, &lb);
	int st = li ? iban_check(iban, li) : -1;
	int col = -1;
	const char *why = NULL;
	if (st != IBAN_OK) {
		col = ci;
		why = st < 0 ? "no IBAN" : iban_status_text(st);
	} else if (!bic_valid(bic, lb)) {
		col = cb;
		why = lb ? "BIC is not 8 or 11 characters [A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?"
			 : "no BIC";
	}
	if (!why) {
		snprintf(p->iban, sizeof p->iban, "%s", iban);
		snprintf(p->bic, sizeof p->bic, "%s", bic);
		return;
	}
	qe_err x;
	csvr_field_error(r, col, &x, "%s '%s'", why, col == ci ? iban : bic);
	/* "file:line:col: column 'iban': reason 'value'": the place, then the rest */
	char *sep = strstr(x.msg, ": column ");
	size_t at = sep ? (size_t)(sep - x.msg) : 0;
	snprintf(p->where, sizeof p->where, "%.*s", (int)at, x.msg);
	snprintf(p->bad, sizeof p->bad, "%s", sep ? sep + 2 : x.msg);
}

/* Reads a table of parties keyed by column key with name column namecol;
 * strict (accounts) makes bad details an error at their place. */
static int parties_load(parties *ps, const char *path, const char *key, const char *namecol,
			int strict, qe_err *e)
{
	const char *cols[] = {key, namecol, "iban", "bic"};
	int ix[4], st, rc = 0;
	memset(ps, 0, sizeof *ps);
	if (!(ps->ix = sidx_new()))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	if (csvr_require(r, cols, 4, ix, e)) {
		csvr_close(r);
		return e->code;
	}
	while ((st = csvr_next(r, e)) == CSVR_ROW) {
		size_t len;
		const char *k = csvr_field(r, ix[0], &len);
		int added;
		long i = len ? sidx_add(ps->ix, k, len, &added) : -2;
		if (i == -2 || (i >= 0 && !added)) {
			rc = csvr_field_error(r, ix[0], e, "%s '%s'", i == -2 ? "empty" : "listed twice", k);
			break;
		}
		if (i >= 0 && (size_t)i >= ps->cap) {
			party *nv = realloc(ps->v, (2 * ps->cap + 64) * sizeof *nv);
			if (nv) {
				ps->v = nv;
				ps->cap = 2 * ps->cap + 64;
			}
		}
		if (i < 0 || (size_t)i >= ps->cap) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			break;
		}
		party *p = &ps->v[i];
		memset(p, 0, sizeof *p);
		snprintf(p->name, sizeof p->name, "%s", csvr_field(r, ix[1], NULL));
		check_details(r, ix[2], ix[3], p);
		if (strict && p->bad[0]) {
			rc = qe_err_set(e, QE_DATA, "%s: %s", p->where, p->bad);
			break;
		}
	}
	if (!rc && st != CSVR_EOF)
		rc = e->code;
	csvr_close(r);
	return rc;
}

static const party *parties_find(const parties *ps, const char *key)
{
	long i = sidx_find(ps->ix, key, strlen(key));
	return i < 0 ? NULL : &ps->v[i];
}

/* --- XML text ------------------------------------------------------------ */

static void put(strbuf *b, const char *s) { strbuf_put(b, s, strlen(s)); }

/* Text content, escaped (core/strbuf's XML flavour: C0 controls become
 * spaces); at most max characters (UTF-8 code points), as the MaxNText
 * types count them. */
static void put_text(strbuf *b, const char *s, size_t max)
{
	size_t n = 0, chars = 0;
	for (; s[n]; n++)
		if (((unsigned char)s[n] & 0xC0) != 0x80 && chars++ == max)
			break;
	strbuf_put_markup(b, s, n, STRBUF_XML);
}

/* "<tag>" or "</tag>" (slash "/") at indent depth, a line end after it
 * when eol. */
static void tag(strbuf *b, int depth, const char *slash, const char *name, int eol)
{
	for (int i = 0; i < depth; i++)
		put(b, "  ");
	put(b, "<");
	put(b, slash);
	put(b, name);
	put(b, eol ? ">\n" : ">");
}

/* <name>text</name> at indent depth, text escaped and cut at max characters. */
static void element(strbuf *b, int depth, const char *name, const char *text, size_t max)
{
	tag(b, depth, "", name, 0);
	put_text(b, text, max);
	tag(b, 0, "/", name, 1);
}

static void open_tag(strbuf *b, int depth, const char *name) { tag(b, depth, "", name, 1); }

static void close_tag(strbuf *b, int depth, const char *name) { tag(b, depth, "/", name, 1); }

/* <outer><inner><name>text</name></inner></outer>: an agent's BIC, an
 * account's IBAN. */
static void element2(strbuf *b, int depth, const char *outer, const char *inner, const char *name,
		     const char *text, size_t max)
{
	open_tag(b, depth, outer);
	open_tag(b, depth + 1, inner);
	element(b, depth + 2, name, text, max);
	close_tag(b, depth + 1, inner);
	close_tag(b, depth, outer);
}

/* An exact decimal sum of amounts of exponents up to 4: whole units and
 * ten-thousandths. */
typedef struct dsum {
	int64_t units, frac;
	int exp; /* the largest exponent added */
} dsum;

static void dsum_add(dsum *s, int64_t minor, int exp)
{
	static const int64_t p10[] = {1, 10, 100, 1000, 10000};
	s->units += minor / p10[exp];
	s->frac += minor % p10[exp] * p10[4 - exp];
	s->units += s->frac / 10000;
	s->frac %= 10000;
	if (exp > s->exp)
		s->exp = exp;
}

static void dsum_format(const dsum *s, char *buf, size_t cap)
{
	static const int64_t p10[] = {1, 10, 100, 1000, 10000};
	if (s->exp == 0)
		snprintf(buf, cap, "%" PRId64, s->units);
	else
		snprintf(buf, cap, "%" PRId64 ".%0*" PRId64, s->units, s->exp,
			 s->frac / p10[4 - s->exp]);
}

/* --- the message --------------------------------------------------------- */

typedef struct tx {
	const settle_payment *p;
	const party *cp;
	int exp;
} tx;

static int by_block(const void *a, const void *b)
{
	const settle_payment *x = ((const tx *)a)->p, *y = ((const tx *)b)->p;
	int r;
	if ((r = strcmp(x->ccy, y->ccy)))
		return r;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if ((r = strcmp(x->cpty, y->cpty)) || (r = strcmp(x->trade_id, y->trade_id)))
		return r;
	return x->line < y->line ? -1 : x->line > y->line;
}

static void date_text(char *buf, qe_date d) { date_format(buf, d); }

static void write_tx(strbuf *b, const pay_run *run, long seq, const tx *t)
{
	char id[64], amt[48], ref[200], inv[160], d[16];
	const settle_payment *p = t->p;
	open_tag(b, 3, "CdtTrfTxInf");
	open_tag(b, 4, "PmtId");
	snprintf(id, sizeof id, "%s-%ld", run->run_id, seq);
	element(b, 5, "EndToEndId", id, 35);
	close_tag(b, 4, "PmtId");
	open_tag(b, 4, "Amt");
	terms_format_minor(amt, sizeof amt, p->minor, t->exp);
	put(b, "          <InstdAmt Ccy=\"");
	put(b, p->ccy);
	put(b, "\">");
	put(b, amt);
	put(b, "</InstdAmt>\n");
	close_tag(b, 4, "Amt");
	element2(b, 4, "CdtrAgt", "FinInstnId", "BICFI", t->cp->bic, 11);
	open_tag(b, 4, "Cdtr");
	element(b, 5, "Nm", t->cp->name[0] ? t->cp->name : p->cpty, 140);
	close_tag(b, 4, "Cdtr");
	element2(b, 4, "CdtrAcct", "Id", "IBAN", t->cp->iban, 34);
	open_tag(b, 4, "RmtInf");
	qe_date from = run->invoice_from;
	if (!from) {
		int y, m, dd;
		date_to_ymd(p->value, &y, &m, &dd);
		from = date_from_ymd(y, m, 1);
	}
	invoice_id(inv, sizeof inv, p->cpty, from);
	date_text(d, p->value);
	if (p->netted)
		snprintf(ref, sizeof ref, "%s net of %ld flows value %s", inv, p->nflows, d);
	else
		snprintf(ref, sizeof ref, "%s trade %s value %s", inv, p->trade_id, d);
	element(b, 5, "Ustrd", ref, 140);
	close_tag(b, 4, "RmtInf");
	close_tag(b, 3, "CdtTrfTxInf");
}

static void reject(pay_result *out, const settle_payment *p, const char *where, const char *why)
{
	pay_reject *r = &out->rej[out->nrej++];
	r->p = p;
	snprintf(r->source, sizeof r->source, "%s", where);
	snprintf(r->reason, sizeof r->reason, "%s", why);
}

int pay_build(const net_list *n, const char *counterparties, const char *accounts,
	      const settle_terms *t, const pay_run *run, pay_result *out, qe_err *e)
{
	parties cps, accs;
	tx *v = NULL;
	int rc = 0;
	memset(out, 0, sizeof *out);
	if ((rc = parties_load(&cps, counterparties, "counterparty", "name", 0, e))) {
		parties_free(&cps);
		return rc;
	}
	if ((rc = parties_load(&accs, accounts, "currency", "name", 1, e)))
		goto done;
	if (n->n && (!(v = calloc(n->n, sizeof *v)) || !(out->rej = calloc(n->n, sizeof *out->rej)))) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	size_t nv = 0;
	const char *src = n->path ? n->path : "-";
	for (size_t i = 0; i < n->n; i++) {
		const settle_payment *p = &n->v[i];
		if (p->dir >= 0 || p->minor == 0)
			continue;
		int exp = terms_exponent(t, p->ccy);
		if (exp < 0) {
			rc = qe_err_set(e, QE_DATA, "%s:%ld:2: column 'currency': unknown currency '%s'", src,
					p->line, p->ccy);
			goto done;
		}
		const party *cp = parties_find(&cps, p->cpty);
		if (!cp) {
			rc = qe_err_set(e, QE_DATA, "%s:%ld:1: column 'counterparty': not in %s '%s'", src,
					p->line, counterparties, p->cpty);
			goto done;
		}
		if (cp->bad[0]) {
			reject(out, p, cp->where, cp->bad);
			continue;
		}
		if (!parties_find(&accs, p->ccy)) {
			char why[96];
			snprintf(why, sizeof why, "no debtor account in currency %s", p->ccy);
			reject(out, p, accounts, why);
			continue;
		}
		v[nv++] = (tx){p, cp, exp};
	}
	if (nv > 1) /* a null base of no rows is undefined */
		qsort(v, nv, sizeof *v, by_block);

	/* the group header's totals first: they are written before the blocks */
	dsum all = {0, 0, 0};
	for (size_t i = 0; i < nv; i++)
		dsum_add(&all, v[i].p->minor, v[i].exp);
	dsum_format(&all, out->ctrlsum, sizeof out->ctrlsum);
	out->ntx = (long)nv;

	strbuf *b = &out->xml;
	char num[48], d[40];
	put(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\">\n");
	open_tag(b, 1, "CstmrCdtTrfInitn");
	open_tag(b, 2, "GrpHdr");
	element(b, 3, "MsgId", run->run_id, 35);
	date_text(d, run->asof);
	strcat(d, "T00:00:00+00:00");
	element(b, 3, "CreDtTm", d, 40);
	snprintf(num, sizeof num, "%ld", out->ntx);
	element(b, 3, "NbOfTxs", num, 15);
	element(b, 3, "CtrlSum", out->ctrlsum, 40);
	open_tag(b, 3, "InitgPty");
	element(b, 4, "Nm", accs.v && sidx_count(accs.ix) ? accs.v[0].name : "", 140);
	close_tag(b, 3, "InitgPty");
	close_tag(b, 2, "GrpHdr");
	long seq = 0;
	for (size_t i = 0; i < nv;) {
		size_t j = i + 1;
		while (j < nv && !strcmp(v[j].p->ccy, v[i].p->ccy) && v[j].p->value == v[i].p->value)
			j++;
		const party *acc = parties_find(&accs, v[i].p->ccy);
		dsum blk = {0, 0, 0};
		for (size_t k = i; k < j; k++)
			dsum_add(&blk, v[k].p->minor, v[k].exp);
		out->nblocks++;
		open_tag(b, 2, "PmtInf");
		snprintf(num, sizeof num, "%s-P%ld", run->run_id, out->nblocks);
		element(b, 3, "PmtInfId", num, 35);
		element(b, 3, "PmtMtd", "TRF", 4);
		snprintf(num, sizeof num, "%zu", j - i);
		element(b, 3, "NbOfTxs", num, 15);
		dsum_format(&blk, num, sizeof num);
		element(b, 3, "CtrlSum", num, 40);
		open_tag(b, 3, "ReqdExctnDt");
		date_text(d, v[i].p->value);
		element(b, 4, "Dt", d, 10);
		close_tag(b, 3, "ReqdExctnDt");
		open_tag(b, 3, "Dbtr");
		element(b, 4, "Nm", acc->name, 140);
		close_tag(b, 3, "Dbtr");
		open_tag(b, 3, "DbtrAcct");
		open_tag(b, 4, "Id");
		element(b, 5, "IBAN", acc->iban, 34);
		close_tag(b, 4, "Id");
		element(b, 4, "Ccy", v[i].p->ccy, 3);
		close_tag(b, 3, "DbtrAcct");
		element2(b, 3, "DbtrAgt", "FinInstnId", "BICFI", acc->bic, 11);
		for (size_t k = i; k < j; k++)
			write_tx(b, run, ++seq, &v[k]);
		close_tag(b, 2, "PmtInf");
		i = j;
	}
	close_tag(b, 1, "CstmrCdtTrfInitn");
	put(b, "</Document>\n");
	if (b->oom)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
done:
	free(v);
	parties_free(&cps);
	parties_free(&accs);
	if (rc)
		pay_result_free(out);
	return rc;
}

void pay_result_free(pay_result *r)
{
	strbuf_free(&r->xml);
	free(r->rej);
	memset(r, 0, sizeof *r);
}

void pay_rejects_write(FILE *fp, const pay_result *r)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_PAYMENT_REJECTS);
	for (size_t i = 0; i < r->nrej; i++) {
		const pay_reject *x = &r->rej[i];
		csvw_str(&w, x->p->cpty);
		csvw_str(&w, x->p->ccy);
		csvw_date(&w, x->p->value);
		csvw_int(&w, x->p->minor);
		csvw_str(&w, x->source);
		csvw_str(&w, x->reason);
		csvw_end(&w);
	}
}
