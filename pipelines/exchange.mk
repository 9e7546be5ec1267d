# Exchange settlement files into the day's market (issue 21):
#   make eod EXCHANGE_DIR=data/exchange
# reads every cme* file of EXCHANGE_DIR with qe-ingest cme-settle and every
# ice* file with ice-settle (plain, .gz or .zip), merges the day into the
# history ($(DATA)/history.csv, the day's rows replaced), and writes
# $(OUT)/exchange/{curves,vols,fixings,history}.csv: the exchange rows,
# plus the rows of $(DATA)'s files for what the exchanges do not settle
# (OTC power curves, normal vols, balance-of-month quotes, spot fixings).
# The history keeps its factors: the day's rows of a curve and tenor the
# history has no earlier day of (months beyond its tenors) are left out,
# since a factor with one day of history has no returns.
# The ingest step then validates these instead of $(DATA)'s (eod.mk
# ingest_src).  Any rejected exchange row fails the step (its rejects are
# kept in $(OUT)/exchange/rejects.csv).
ifneq ($(EXCHANGE_DIR),)
EXCHANGE_MK    := $(lastword $(MAKEFILE_LIST))
X              := $(OUT)/exchange
EXCHANGE_FILES := $(sort $(wildcard $(EXCHANGE_DIR)/cme* $(EXCHANGE_DIR)/ice*))
ifeq ($(EXCHANGE_FILES),)
$(error eod: EXCHANGE_DIR=$(EXCHANGE_DIR) has no cme* or ice* file)
endif
EXCHANGE_OUT   := $(X)/curves.csv $(X)/vols.csv $(X)/fixings.csv $(X)/history.csv $(X)/rejects.csv
EOD_INPUTS     += $(EXCHANGE_FILES) $(DATA)/curves.csv $(DATA)/vols.csv $(DATA)/fixings.csv \
		  $(DATA)/history.csv
EOD_OUTPUTS    += $(EXCHANGE_OUT)
.PRECIOUS: $(X)/rejects.csv

# merge KEYFIELDS EXCHANGE_FILES... DATA_FILE: DATA's rows in order, each
# replaced by the exchange row of the same key, then the exchange rows of
# new keys (the files are plain CSV without quoted commas)
exchange_merge = awk -F, -v keys='$(1)' 'BEGIN { nk = split(keys, k, " ") } \
	function key(  s, i) { s = ""; for (i = 1; i <= nk; i++) s = s SUBSEP $$k[i]; return s } \
	FNR == 1 { if (++file == 1) print; next } \
	ARGIND < ARGC - 1 { kk = key(); if (!(kk in row)) order[++n] = kk; row[kk] = $$0; next } \
	{ kk = key(); if (kk in row) { print row[kk]; used[kk] = 1 } else print } \
	END { for (i = 1; i <= n; i++) if (!(order[i] in used)) print row[order[i]] }'

$(X):
	@mkdir -p $@

$(EXCHANGE_OUT) &: $(call hashed,$(EXCHANGE_FILES) $(DATA)/curves.csv $(DATA)/vols.csv $(DATA)/fixings.csv \
		$(DATA)/history.csv $(DATA)/markets.csv $(EOD_CALENDARS) $(QE_BIN)/qe-ingest \
		$(EXCHANGE_MK) $(EOD_MK)) | $(X)
	@set -e; t=$(X)/tmp; rm -rf $$t; mkdir -p $$t; cp $(DATA)/history.csv $$t/history.csv; \
	echo "line,column,value,reason,record" > $(X)/rejects.csv; i=0; \
	for f in $(EXCHANGE_FILES); do \
		i=$$((i + 1)); \
		case $$(basename $$f) in cme*) v=cme-settle;; *) v=ice-settle;; esac; \
		rc=0; $(QE_BIN)/qe-ingest $$v $$f --markets $(DATA)/markets.csv \
			--calendars $(DATA)/calendars -q -o $$t/curves.$$i.csv --vols $$t/vols.$$i.csv \
			--fixings $$t/fixings.$$i.csv --history $$t/history.csv --replace \
			--rejects $$t/rejects.$$i.csv || rc=$$?; \
		[ -f $$t/rejects.$$i.csv ] && tail -n +2 $$t/rejects.$$i.csv >> $(X)/rejects.csv; \
		if [ $$rc -ne 0 ]; then echo "eod: exchange $$f: exit $$rc (see $(X)/rejects.csv)" >&2; exit 1; fi; \
	done; \
	$(call exchange_merge,1 3) $$t/curves.*.csv $(DATA)/curves.csv > $(X)/curves.csv; \
	$(call exchange_merge,1 3 5 7) $$t/vols.*.csv $(DATA)/vols.csv > $(X)/vols.csv; \
	$(call exchange_merge,1 2) $$t/fixings.*.csv $(DATA)/fixings.csv > $(X)/fixings.csv; \
	awk -F, -v day=$(ASOF) 'NR == FNR { if (FNR > 1 && $$1 != day) seen[$$2 SUBSEP $$3] = 1; next } \
		FNR == 1 || $$1 != day || ($$2 SUBSEP $$3) in seen' $$t/history.csv $$t/history.csv > $(X)/history.csv; \
	rm -rf $$t
endif
