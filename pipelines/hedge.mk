HEDGE_MK := $(lastword $(MAKEFILE_LIST))
# ---- hedge (optional): hedge proposal for the bundled book ------------------
# qe-optimize hedge on the book's delta ladder (qe-price --ladder), the
# covariance of daily price changes (var/cov.csv from qe-var cov) and the
# hedge menu $(DATA)/hedges.csv; all books together.  Ladder and menu
# tenors beyond 12 are carried by CURVE:12 exactly as qe-var does, so
# var_before/var_after cover the whole book and agree with var/param.csv's
# total 99% delta-normal VaR.  Menu contracts at or past their last trading
# day (markets.csv calendars) are left out and counted.  EUR deltas are
# converted to USD with $(DATA)/fx.csv (a sample rate): VaR is in USD.  Runs when qe-price is built (the var step needs it too) and
# the data set has a hedges.csv; `make eod HEDGE=0` skips it.
#
#   hedge/hedges.csv   lots per instrument (instrument,curve,month,lots,quantity,cost)
#   hedge/summary.csv  variance and 99% delta-normal VaR before and after, cost,
#                      relaxed (continuous) variance bound
#
# The proposal comes after the screen gate (pipelines/screen.mk), as
# settlement does: it depends on the findings and on GATE, and with
# GATE=stop and a finding at or above SCREEN_FAIL_ON it is not run (make
# fails naming the gate; an earlier run's proposal is left as it was).
# With GATE=alert the settle steps print the alert, not this one.

HEDGE      ?= 1
HEDGE_OUT  := $(OUT)/hedge
HEDGE_MENU := $(DATA)/hedges.csv
# FX rates (a data set without them: deltas of several currencies are
# added 1:1, with a warning)
HEDGE_FX   ?= $(wildcard $(DATA)/fx.csv)
HEDGE_BASE ?= USD
# the price step's ladder when it makes one, else this file runs qe-price
HEDGE_PRICE_LADDER := $(shell grep -ls 'price/ladder\.csv' pipelines/price.mk 2>/dev/null)
ifneq ($(HEDGE_PRICE_LADDER),)
HEDGE_LADDER ?= $(OUT)/price/ladder.csv
else
HEDGE_LADDER ?= $(HEDGE_OUT)/ladder.csv
endif

ifeq ($(HEDGE)$(if $(wildcard $(QE_BIN)/qe-price),yes)$(if $(wildcard $(HEDGE_MENU)),menu),1yesmenu)
EOD_INPUTS  += $(HEDGE_MENU) $(HEDGE_FX) $(EOD_CALENDARS)
EOD_OUTPUTS += $(HEDGE_OUT)/hedges.csv $(HEDGE_OUT)/summary.csv
eod: $(HEDGE_OUT)/hedges.csv

$(HEDGE_OUT):
	@mkdir -p $@

# (also when HEDGE_LADDER is overridden to somewhere the price step does not write)
ifneq ($(HEDGE_LADDER),$(OUT)/price/ladder.csv)
EOD_OUTPUTS += $(HEDGE_LADDER) $(HEDGE_OUT)/valuations.csv
$(HEDGE_LADDER) $(HEDGE_OUT)/valuations.csv &: $(call hashed,$(I)/trades.csv $(I)/curves.csv $(I)/vols.csv \
		$(I)/rates.csv $(I)/fixings.csv $(I)/markets.csv $(EOD_CALENDARS) $(QE_BIN)/qe-price \
		$(HEDGE_MK) $(EOD_MK)) | $(HEDGE_OUT)
	$(QE_BIN)/qe-price -q --asof $(ASOF) --trades $(I)/trades.csv --curves $(I)/curves.csv \
		--vols $(I)/vols.csv --rates $(I)/rates.csv --markets $(I)/markets.csv \
		--fixings $(I)/fixings.csv $(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars) \
		-o $(HEDGE_OUT)/valuations.csv --ladder $(HEDGE_LADDER)
endif

# hedges.csv and summary.csv are written by the same run; the holiday
# files decide which menu contracts have expired.  The gate's files
# (SCREEN_GATE_DEPS) are known once pipelines/screen.mk, read after this
# file, has set them: a second expansion of the prerequisites.
# qe-optimize commits both files or neither, so they are precious: the gate
# stopping the step must not delete an earlier run's proposal, which make
# 4.3's .DELETE_ON_ERROR does to the second file of a grouped target.
.PRECIOUS: $(HEDGE_OUT)/hedges.csv $(HEDGE_OUT)/summary.csv
.SECONDEXPANSION:
$(HEDGE_OUT)/hedges.csv $(HEDGE_OUT)/summary.csv &: $(call hashed,$(HEDGE_LADDER) $(OUT)/var/cov.csv $(HEDGE_MENU) \
		$(HEDGE_FX) $(I)/markets.csv $(EOD_CALENDARS) $(QE_BIN)/qe-optimize $(HEDGE_MK) $(EOD_MK)) \
		$$(SCREEN_GATE_DEPS) | $(HEDGE_OUT)
	@$(if $(filter stop,$(GATE)),$(screen_gate);) \
	$(QE_BIN)/qe-optimize hedge -q --ladder $(HEDGE_LADDER) --cov $(OUT)/var/cov.csv \
		--hedges $(HEDGE_MENU) --asof $(ASOF) --seed 1 --markets $(I)/markets.csv \
		$(if $(HEDGE_FX),--fx $(HEDGE_FX) --base $(HEDGE_BASE),--allow-mixed-currency) \
		$(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars) \
		--summary $(HEDGE_OUT)/summary.csv -o $(HEDGE_OUT)/hedges.csv
	@awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$$i] = i } NR == 2 { \
		printf "eod: hedge: whole book, 99%% delta-normal VaR %s -> %s %s, cost %s (%s expired menu rows left out)\n", \
		$$c["var_before"], $$c["var_after"], $$c["currency"], $$c["hedge_cost"], $$c["expired_menu_rows"]; \
		if ($$c["uncovered_factors"] && $$c["uncovered_factors"] + 0 > 0) \
		printf "eod: hedge: WARNING: %s factors without covariance left out\n", $$c["uncovered_factors"] }' \
		$(HEDGE_OUT)/summary.csv
else ifeq ($(HEDGE),1)
$(info eod: note: $(if $(wildcard $(QE_BIN)/qe-price),no $(HEDGE_MENU),$(QE_BIN)/qe-price not built); the hedge step is skipped)
endif
