INTRADAY_MK := $(lastword $(MAKEFILE_LIST))
# Intraday run: `make intraday INTRADAY_DIR=DIR` (top-level Makefile, mk/
# intraday.mk) runs
#   make -f pipelines/intraday.mk QE_BIN=$(CURDIR)/bin INTRADAY_DIR=DIR
# every 15 minutes (pipelines/crontab.example) on the trades and prices
# that arrived since the end of day, against that day's EOD outputs
# (out/eod/<asof>/, `make eod`), which it reads and never rewrites:
#
#   INTRADAY_DIR/trades-*.csv  new trades (trades format of qe-formats(5)),
#                              any number of files, read in name order
#   INTRADAY_DIR/prices.csv    new forward prices (curves format): each row
#                              replaces the EOD row of the same curve and
#                              delivery period, or adds one
# Either may be missing.  Outputs, in OUT = out/intraday/<asof>/<HHMM>/:
#
#   ingest/new-trades.csv   the new trades, validated (qe-ingest trades);
#   ingest/new-trades.rejects.csv   with their rejects (an alert, not a stop)
#   ingest/prices.csv       the new prices, validated (qe-ingest prices)
#   market/curves.csv       the EOD curves with the new prices merged in
#   book/trades.csv         the EOD book (the trades the EOD could price) and
#                           the new trades
#   price/                  valuations, sensitivities, ladder, errors of the
#                           book on the merged curves (qe-price)
#   pnl/flash.csv           flash P&L by trade since the EOD (PNL of
#                           qe-formats(5), qe-report pnl --from ASOF --to
#                           ASOF): change, v0 (EOD), v1 (now), total and its
#                           explain, in cents of USD at $(DATA)/fx.csv's rates
#   pnl/flash-explain.csv   its roll-ups by book, desk, commodity and risk
#                           curve (PNL EXPLAIN), the 'all' row the total
#   report/position.csv     qe-report position of the ladder, change since
#                           the EOD ladder
#   screen/breaches.csv     qe-screen check --rules limits on the book, the
#                           valuations and ladder now and the EOD VaR; a
#                           breach prints "intraday: ALERT: ..." and the run
#                           goes on
#   var/whatif.csv          pre-deal VaR: qe-var whatif of the new trades on
#                           the EOD scenario P&L (var/cube-full.csv, read,
#                           not rebuilt: only the new trades are repriced)
#   manifest.csv            role,path,bytes,sha256 of every input and output
#
# Variables: QE_BIN, DATA (data: the reference files the EOD read),
# ASOF (from $(DATA)/curves.csv), EOD (out/eod/$(ASOF)), STAMP (HHMM, UTC
# now), OUT (out/intraday/$(ASOF)/$(STAMP)), INTRADAY_DIR (required).
# A missing EOD output stops the run with one line naming it: run `make
# eod` first.  Outputs are written beside their targets and renamed, so a
# failed or killed run leaves no partial file (.DELETE_ON_ERROR).
#
# pipelines/eod.mk includes every pipelines/*.mk: this file defines nothing
# there.
ifndef EOD_MK

QE_BIN ?= bin
DATA   ?= data
ASOF   ?= $(shell awk -F, 'NR == 2 { print $$2; exit }' $(DATA)/curves.csv)
EOD    ?= out/eod/$(ASOF)
STAMP  ?= $(shell date -u +%H%M)
OUT    ?= out/intraday/$(ASOF)/$(STAMP)

ifeq ($(INTRADAY_DIR),)
$(error intraday: INTRADAY_DIR is not set (a directory of trades-*.csv and prices.csv))
endif
ifeq ($(wildcard $(INTRADAY_DIR)/.),)
$(error intraday: INTRADAY_DIR=$(INTRADAY_DIR): no such directory)
endif
ifeq ($(ASOF),)
$(error intraday: cannot read the as-of date from $(DATA)/curves.csv)
endif

NEW_TRADES := $(sort $(wildcard $(INTRADAY_DIR)/trades-*.csv))
NEW_PRICES := $(wildcard $(INTRADAY_DIR)/prices.csv)
EI         := $(EOD)/ingest
# what the run reads of the EOD: never a target here, so never rebuilt
EOD_READ   := $(EI)/markets.csv $(EI)/trades.csv $(EI)/curves.csv $(EI)/vols.csv $(EI)/rates.csv \
	$(EI)/fixings.csv $(EI)/history.csv $(EI)/limits.csv $(EOD)/price/valuations.csv \
	$(EOD)/price/ladder.csv $(EOD)/var/priced-trades.csv $(EOD)/var/var.csv $(EOD)/var/cube-full.csv
EOD_MISSING := $(filter-out $(wildcard $(EOD_READ)),$(EOD_READ))
ifneq ($(EOD_MISSING),)
$(error intraday: no EOD output $(firstword $(EOD_MISSING)) (run make eod for $(ASOF) first))
endif
ifeq ($(wildcard $(DATA)/fx.csv),)
$(error intraday: no $(DATA)/fx.csv (the FX rates of the flash P&L, as the EOD's reports read them))
endif
INTRADAY_CALENDARS := $(sort $(wildcard $(DATA)/calendars/*.txt))
CAL_OPT    := $(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars)
INTRADAY_REF := $(wildcard $(DATA)/counterparties.csv $(DATA)/fx.csv)
INTRADAY_DEPS := $(QE_BIN)/qe-ingest $(INTRADAY_MK)

.DELETE_ON_ERROR:
.PHONY: intraday
intraday: $(OUT)/manifest.csv
	@echo "intraday: as-of $(ASOF) $(STAMP): results in $(OUT)/ (flash P&L: $(OUT)/pnl/flash.csv)"

IN := $(OUT)/ingest
$(IN) $(OUT)/market $(OUT)/book $(OUT)/price $(OUT)/pnl $(OUT)/report $(OUT)/screen $(OUT)/var:
	@mkdir -p $@

# ---- ingest the new trades and prices ----------------------------------
# the files concatenated under one header; no file: the header alone
$(IN)/new-trades.csv $(IN)/new-trades.rejects.csv &: $(NEW_TRADES) $(DATA)/markets.csv \
		$(INTRADAY_CALENDARS) $(EI)/trades.csv $(INTRADAY_DEPS) | $(IN)
	@{ head -n 1 $(EI)/trades.csv; for f in $(NEW_TRADES); do tail -n +2 $$f; done; } > $(IN)/new-trades.in.csv
	@rc=0; $(QE_BIN)/qe-ingest trades -q $(IN)/new-trades.in.csv --markets $(DATA)/markets.csv \
		-o $(IN)/new-trades.csv.tmp --rejects $(IN)/new-trades.rejects.csv.tmp || rc=$$?; \
	rm -f $(IN)/new-trades.in.csv; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 3 -o ! -f $(IN)/new-trades.csv.tmp ]; then \
		echo "intraday: ingest trades: qe-ingest failed (exit $$rc)" >&2; \
		rm -f $(IN)/new-trades.csv.tmp $(IN)/new-trades.rejects.csv.tmp; exit $$rc; fi; \
	n=$$(($$(wc -l < $(IN)/new-trades.rejects.csv.tmp) - 1)); \
	if [ $$n -gt 0 ]; then echo "intraday: ALERT: $$n new trade(s) rejected (see $(IN)/new-trades.rejects.csv)" >&2; fi; \
	mv $(IN)/new-trades.rejects.csv.tmp $(IN)/new-trades.rejects.csv && mv $(IN)/new-trades.csv.tmp $(IN)/new-trades.csv

# a rejected price stops the run; the rejects file says why and is kept
.PRECIOUS: $(IN)/prices.rejects.csv
$(IN)/prices.csv $(if $(NEW_PRICES),$(IN)/prices.rejects.csv) &: $(NEW_PRICES) $(EI)/curves.csv $(DATA)/markets.csv \
		$(INTRADAY_DEPS) | $(IN)
	@$(if $(NEW_PRICES),$(QE_BIN)/qe-ingest prices $(NEW_PRICES) --markets $(DATA)/markets.csv -q \
		-o $(IN)/prices.csv.tmp --rejects $(IN)/prices.rejects.csv || { \
		echo "intraday: ingest prices: qe-ingest failed (see $(IN)/prices.rejects.csv)" >&2; \
		rm -f $(IN)/prices.csv.tmp; exit 3; },head -n 1 $(EI)/curves.csv > $(IN)/prices.csv.tmp)
	@mv $(IN)/prices.csv.tmp $(IN)/prices.csv

# ---- the market and the book now -----------------------------------------
# a new price replaces the EOD row of its curve and delivery period in place;
# one of a period the EOD lacks is appended
$(OUT)/market/curves.csv: $(EI)/curves.csv $(IN)/prices.csv $(INTRADAY_MK) | $(OUT)/market
	@awk -F, 'FNR == NR { if (FNR > 1) { k = $$1 FS $$3 FS $$4; new[k] = $$0; order[++n] = k } next } \
		FNR == 1 { print; next } { k = $$1 FS $$3 FS $$4; if (k in new) { print new[k]; done[k] = 1 } else print } \
		END { for (i = 1; i <= n; i++) if (!(order[i] in done)) print new[order[i]] }' \
		$(IN)/prices.csv $(EI)/curves.csv > $@.tmp && mv $@.tmp $@

$(OUT)/book/trades.csv: $(EOD)/var/priced-trades.csv $(IN)/new-trades.csv $(INTRADAY_MK) | $(OUT)/book
	@{ cat $(EOD)/var/priced-trades.csv; tail -n +2 $(IN)/new-trades.csv; } > $@.tmp && mv $@.tmp $@

PRICE_NOW := $(addprefix $(OUT)/price/,valuations.csv sensitivities.csv ladder.csv errors.csv)
$(PRICE_NOW) &: $(OUT)/book/trades.csv $(OUT)/market/curves.csv $(EI)/vols.csv $(EI)/rates.csv \
		$(EI)/fixings.csv $(EI)/markets.csv $(INTRADAY_CALENDARS) $(QE_BIN)/qe-price $(INTRADAY_MK) \
		| $(OUT)/price
	@rc=0; $(QE_BIN)/qe-price -q --asof $(ASOF) --trades $(OUT)/book/trades.csv \
		--curves $(OUT)/market/curves.csv --vols $(EI)/vols.csv --rates $(EI)/rates.csv \
		--markets $(EI)/markets.csv --fixings $(EI)/fixings.csv $(CAL_OPT) \
		-o $(OUT)/price/valuations.csv --sensitivities $(OUT)/price/sensitivities.csv \
		--ladder $(OUT)/price/ladder.csv --errors $(OUT)/price/errors.csv || rc=$$?; \
	if [ $$rc -eq 3 ] && [ -f $(OUT)/price/errors.csv ]; then \
		echo "intraday: ALERT: price: $$(($$(wc -l < $(OUT)/price/errors.csv) - 1)) trade(s) could not be priced (see $(OUT)/price/errors.csv)" >&2; \
	elif [ $$rc -ne 0 ]; then echo "intraday: price: qe-price failed (exit $$rc)" >&2; exit $$rc; fi

# ---- flash P&L: qe-report pnl from the end of day to now -------------------
# qe-report pnl --from ASOF --to ASOF: the EOD book (the trades the EOD
# could price) on the EOD market against the book now on the market now
# (the merged curves; the EOD's vols, rates and fixings), every trade
# priced in-process by qe-price's pricer and the difference explained
# step by step (delta and gamma of the new prices, new, amended and
# cancelled trades, unexplained), in cents of FLASH_BASE (USD) at the
# rates of $(DATA)/fx.csv, the parts adding to the total to the cent.  A
# trade the price step cannot price now (price/errors.csv, an alert
# there) is left out of both books.  One line on standard error gives the
# total and its explain.
FLASH_BASE ?= USD
FLASH_FX   := $(DATA)/fx.csv
FLASH_T0   := $(OUT)/pnl/eod-trades.csv.tmp
FLASH_T1   := $(OUT)/pnl/now-trades.csv.tmp
# the trades of FILE less those of price/errors.csv (matched on the first
# field as both tools write it, as pipelines/varfull.mk does), into OUT
flash_priced = awk -F, 'FNR == NR { if (FNR > 1) bad[$$1] = 1; next } FNR == 1 || !($$1 in bad)' \
	$(OUT)/price/errors.csv $(1) > $(2)
$(OUT)/pnl/flash.csv $(OUT)/pnl/flash-explain.csv &: $(EOD)/var/priced-trades.csv $(OUT)/book/trades.csv \
		$(OUT)/price/errors.csv $(EI)/curves.csv $(OUT)/market/curves.csv $(EI)/vols.csv $(EI)/rates.csv \
		$(EI)/fixings.csv $(EI)/markets.csv $(FLASH_FX) $(INTRADAY_CALENDARS) $(QE_BIN)/qe-report \
		$(INTRADAY_MK) | $(OUT)/pnl
	@t0=$(EOD)/var/priced-trades.csv; t1=$(OUT)/book/trades.csv; \
	if [ $$(wc -l < $(OUT)/price/errors.csv) -gt 1 ]; then t0=$(FLASH_T0); t1=$(FLASH_T1); \
		{ $(call flash_priced,$(EOD)/var/priced-trades.csv,$(FLASH_T0)) && \
		  $(call flash_priced,$(OUT)/book/trades.csv,$(FLASH_T1)); } || { rm -f $(FLASH_T0) $(FLASH_T1); exit 4; }; fi; \
	rc=0; $(QE_BIN)/qe-report pnl -q --from $(ASOF) --to $(ASOF) -m $(EI)/markets.csv $(CAL_OPT) \
		--trades0 $$t0 --curves0 $(EI)/curves.csv --vols0 $(EI)/vols.csv --rates0 $(EI)/rates.csv \
		--fixings0 $(EI)/fixings.csv --fx0 $(FLASH_FX) \
		--trades1 $$t1 --curves1 $(OUT)/market/curves.csv --vols1 $(EI)/vols.csv --rates1 $(EI)/rates.csv \
		--fixings1 $(EI)/fixings.csv --fx1 $(FLASH_FX) --base $(FLASH_BASE) \
		-o $(OUT)/pnl/flash.csv -e $(OUT)/pnl/flash-explain.csv || rc=$$?; \
	rm -f $(FLASH_T0) $(FLASH_T1); \
	if [ $$rc -ne 0 ]; then echo "intraday: flash P&L: qe-report pnl failed (exit $$rc)" >&2; exit $$rc; fi; \
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$$i] = i; next } $$c["level"] == "all" { \
		printf "intraday: flash P&L %s %s: delta %s, gamma %s, vega %s, new %s, amended %s, cancelled %s, unexplained %s\n", \
		$$c["total"], $$c["currency"], $$c["delta"], $$c["gamma"], $$c["vega"], $$c["new"], $$c["amended"], \
		$$c["cancelled"], $$c["unexplained"] }' $(OUT)/pnl/flash-explain.csv >&2

# ---- positions: the ladder now, the change since the EOD's -----------------
$(OUT)/report/position.csv: $(OUT)/price/ladder.csv $(EOD)/price/ladder.csv $(EI)/markets.csv \
		$(QE_BIN)/qe-report $(INTRADAY_MK) | $(OUT)/report
	$(QE_BIN)/qe-report position -q --ladder $(OUT)/price/ladder.csv --prev $(EOD)/price/ladder.csv \
		--markets $(EI)/markets.csv -o $@

# ---- limits: the limit rules on the book now (VaR of the EOD) -------------
$(OUT)/screen/breaches.csv: $(OUT)/book/trades.csv $(OUT)/price/valuations.csv $(OUT)/price/ladder.csv \
		$(EI)/limits.csv $(EI)/markets.csv $(EOD)/var/var.csv $(INTRADAY_REF) $(INTRADAY_CALENDARS) \
		$(QE_BIN)/qe-screen $(INTRADAY_MK) | $(OUT)/screen
	@rc=0; $(QE_BIN)/qe-screen check -q --rules limits --asof $(ASOF) -t $(OUT)/book/trades.csv \
		-l $(EI)/limits.csv -m $(EI)/markets.csv --valuations $(OUT)/price/valuations.csv \
		--ladder $(OUT)/price/ladder.csv --var $(EOD)/var/var.csv \
		$(if $(filter %/counterparties.csv,$(INTRADAY_REF)),-c $(DATA)/counterparties.csv) \
		$(if $(filter %/fx.csv,$(INTRADAY_REF)),--fx $(DATA)/fx.csv) $(CAL_OPT) -o $@ || rc=$$?; \
	if [ $$rc -eq 1 ]; then \
		echo "intraday: ALERT: limits: $$(awk -F, 'NR > 1 && $$4 == "breach"' $@ | wc -l) breach(es) (see $@)" >&2; \
	elif [ $$rc -ne 0 ]; then echo "intraday: limits: qe-screen failed (exit $$rc)" >&2; exit $$rc; fi

# ---- pre-deal VaR: the new trades on the EOD's scenario P&L ---------------
# qe-var whatif --cube reads the book's P&L of every scenario from the EOD
# cube and reprices only the new trades; no new trade: a header alone
WHATIF_ALPHA ?= 0.975,0.99
$(OUT)/var/whatif.csv: $(IN)/new-trades.csv $(EOD)/var/cube-full.csv $(EOD)/var/priced-trades.csv \
		$(EI)/history.csv $(EI)/markets.csv $(OUT)/market/curves.csv $(EI)/vols.csv $(EI)/rates.csv \
		$(EI)/fixings.csv $(INTRADAY_CALENDARS) $(QE_BIN)/qe-var $(INTRADAY_MK) | $(OUT)/var
	@if [ $$(wc -l < $(IN)/new-trades.csv) -le 1 ]; then \
		echo "portfolio,alpha,var_before,var_after,incremental_var,es_before,es_after,currency,asof" > $@.tmp; \
	else $(QE_BIN)/qe-var whatif -q --new $(IN)/new-trades.csv -H $(EI)/history.csv -m $(EI)/markets.csv \
		--asof $(ASOF) $(CAL_OPT) --trades $(EOD)/var/priced-trades.csv --curves $(OUT)/market/curves.csv \
		--vols $(EI)/vols.csv --rates $(EI)/rates.csv --fixings $(EI)/fixings.csv \
		--cube $(EOD)/var/cube-full.csv -a $(WHATIF_ALPHA) --window 500 -o $@.tmp; fi
	@mv $@.tmp $@

# ---- manifest --------------------------------------------------------------
INTRADAY_OUTPUTS := $(IN)/new-trades.csv $(IN)/new-trades.rejects.csv $(IN)/prices.csv \
	$(OUT)/market/curves.csv $(OUT)/book/trades.csv $(PRICE_NOW) $(OUT)/pnl/flash.csv $(OUT)/pnl/flash-explain.csv \
	$(OUT)/report/position.csv $(OUT)/screen/breaches.csv $(OUT)/var/whatif.csv \
	$(if $(NEW_PRICES),$(IN)/prices.rejects.csv)
INTRADAY_INPUTS := $(NEW_TRADES) $(NEW_PRICES) $(EOD_READ) $(DATA)/markets.csv $(INTRADAY_REF)
$(OUT)/manifest.csv: $(INTRADAY_OUTPUTS) $(INTRADAY_INPUTS)
	@{ echo "role,path,bytes,sha256"; \
	  for f in $(INTRADAY_INPUTS); do echo "input,$$f,$$(wc -c < $$f),$$(sha256sum $$f | cut -d' ' -f1)"; done; \
	  for f in $(INTRADAY_OUTPUTS); do \
		echo "output,$$f,$$(wc -c < $$f),$$(sha256sum $$f | cut -d' ' -f1)"; done; \
	} > $@.tmp && mv $@.tmp $@

endif
