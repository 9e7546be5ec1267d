VARFULL_MK := $(lastword $(MAKEFILE_LIST))
# ---- var, full revaluation: HS VaR by repricing, P&L attribution ---------
# Both steps reprice the book through qe-var's own pricer (qe-price's code,
# in-process) from the ingested market data and the trades the price step
# could price (var/priced-trades.csv: the ingested trades less those of
# price/errors.csv), so that an unpriceable trade is left out here as it is
# from the sensitivity VaR (the price step alerts about it).  Skipped, as
# var.mk is, when qe-price is not built.
#
#   var/priced-trades.csv  the book the two steps reprice
#   var/var-full.csv  HS VaR/ES 97.5% and 99%, 1 day, 500 days, by book and
#                     total, every trade repriced under every scenario
#                     (qe-var hs --full; columns of var/var.csv, method hs-full)
#   var/cube-full.csv the scenario P&L of the same run by book and total
#                     (PNL CUBE of qe-formats(5)): what the intraday run's
#                     pre-deal VaR (qe-var whatif --cube, pipelines/intraday.mk)
#                     reuses instead of repricing the book
#   var/pla.csv       FRTB P&L attribution (qe-var pla) by book and total over
#                     the last 250 scenarios: full revaluation against the
#                     sensitivity (delta-gamma) P&L, Spearman, KS, MAR32 zone.
#                     A red book does not stop the run (the desk wants the
#                     report most then): the step prints one line
#                     "eod: WARNING: P&L attribution red: BOOK ..." and goes on;
#                     any other failure of qe-var stops it.
#
# VARFULL=0 leaves out the two full-revaluation steps (the sensitivity-only
# EOD that bench/eod times; the risk report then has no P&L attribution
# and the intraday run no scenario cube to reuse).

VARFULL_OUT := $(OUT)/var
VARFULL_TRADES := $(VARFULL_OUT)/priced-trades.csv
VARFULL_IN  := -H $(I)/history.csv -m $(I)/markets.csv --asof $(ASOF) \
	$(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars) \
	--trades $(VARFULL_TRADES) --curves $(I)/curves.csv --vols $(I)/vols.csv --rates $(I)/rates.csv \
	--fixings $(I)/fixings.csv
VARFULL_DEPS := $(call hashed,$(I)/history.csv $(I)/markets.csv $(VARFULL_TRADES) $(I)/curves.csv $(I)/vols.csv \
	$(I)/rates.csv $(I)/fixings.csv $(EOD_CALENDARS) $(QE_BIN)/qe-var $(VARFULL_MK) $(EOD_MK))

ifneq ($(wildcard $(QE_BIN)/qe-price),)
EOD_OUTPUTS += $(VARFULL_TRADES)
EOD_INPUTS  += $(EOD_CALENDARS)
ifneq ($(VARFULL),0)
EOD_OUTPUTS += $(VARFULL_OUT)/var-full.csv $(VARFULL_OUT)/cube-full.csv $(VARFULL_OUT)/pla.csv
eod: $(VARFULL_OUT)/var-full.csv $(VARFULL_OUT)/pla.csv
endif

# matched on the first field as both tools write it (an id holding a comma,
# quoted, is matched on its part before the comma); the header is kept
$(VARFULL_TRADES): $(call hashed,$(I)/trades.csv $(OUT)/price/errors.csv $(VARFULL_MK) $(EOD_MK))
	@mkdir -p $(@D)
	@awk -F, 'FNR == NR { if (FNR > 1) bad[$$1] = 1; next } FNR == 1 || !($$1 in bad)' \
		$(OUT)/price/errors.csv $(I)/trades.csv > $@.tmp && mv $@.tmp $@

ifneq ($(VARFULL),0)
$(VARFULL_OUT)/var-full.csv $(VARFULL_OUT)/cube-full.csv &: $(VARFULL_DEPS)
	@mkdir -p $(@D)
	$(QE_BIN)/qe-var hs --full -q $(VARFULL_IN) -a 0.975,0.99 --window 500 \
		--cube $(VARFULL_OUT)/cube-full.csv -o $(VARFULL_OUT)/var-full.csv
$(VARFULL_OUT)/pla.csv: $(VARFULL_DEPS)
	@mkdir -p $(@D)
	@rc=0; $(QE_BIN)/qe-var pla -q $(VARFULL_IN) --window 250 -o $@ || rc=$$?; \
	if [ $$rc -eq 1 ]; then echo "eod: WARNING: P&L attribution red: $$(awk -F, 'NR > 1 && $$6 == "red" { printf "%s ", $$2 }' $@)(see $@)" >&2; \
	elif [ $$rc -ne 0 ]; then echo "eod: pla: qe-var failed (exit $$rc)" >&2; exit $$rc; fi
endif
endif
