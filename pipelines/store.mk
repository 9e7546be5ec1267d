STORE_MK := $(lastword $(MAKEFILE_LIST))
# ---- store: the day's results into PostgreSQL, when QE_PG is set -----------
# With QE_PG (a libpq connection string: make eod QE_PG='dbname=risk'; the
# password from ~/.pgpass or PGPASSFILE, the rest from PG* variables when
# QE_PG is only 'dbname=risk'), once the manifest is written every result
# of the day below that this run made is loaded with qe-store load as run
# $(STORE_RUN) (default eod-$(ASOF)), replacing that run's rows, and the
# list of what was loaded is written to store/loaded.csv (kind,path).
# Without QE_PG this file adds nothing: make eod is unchanged.  The schema
# must exist (qe-store migrate, as its owner); a failed load stops make
# with qe-store's message, after every file of the day is written.

ifneq ($(strip $(QE_PG)),)
ifneq ($(wildcard $(QE_BIN)/qe-store),)
export QE_PG
STORE_RUN ?= eod-$(ASOF)
STORE_OUT := $(OUT)/store
# kind:file of the results worth keeping; a file is loaded when this run
# writes it (it is in EOD_OUTPUTS, complete when the recipe runs)
STORE_PAIRS := trades:$(I)/trades.csv prices:$(I)/curves.csv vols:$(I)/vols.csv \
	history:$(I)/history.csv valuations:$(OUT)/price/valuations.csv \
	sensitivities:$(OUT)/price/sensitivities.csv ladder:$(OUT)/price/ladder.csv \
	price_errors:$(OUT)/price/errors.csv var:$(OUT)/var/var.csv \
	var_components:$(OUT)/var/components.csv cov:$(OUT)/var/cov.csv \
	var_series:$(OUT)/var/series.csv backtest:$(OUT)/var/backtest.csv \
	breaches:$(OUT)/screen/breaches.csv settlement_flows:$(OUT)/settle/flows.csv \
	settlement_payments:$(OUT)/settle/payments.csv invoices:$(OUT)/settle/invoices.csv \
	manifest:$(OUT)/manifest.csv
store_pairs = $(foreach p,$(STORE_PAIRS),$(if $(filter $(lastword $(subst :, ,$(p))),$(EOD_OUTPUTS) $(OUT)/manifest.csv),$(p)))

eod: $(STORE_OUT)/loaded.csv

$(STORE_OUT):
	@mkdir -p $@

$(STORE_OUT)/loaded.csv: $(OUT)/manifest.csv $(QE_BIN)/qe-store $(STORE_MK) $(EOD_MK) | $(STORE_OUT)
	@set -e; echo kind,path > $@.tmp; for p in $(store_pairs); do \
		k=$${p%%:*}; f=$${p#*:}; \
		$(QE_BIN)/qe-store load -q -d "$$QE_PG" $$k $$f --run $(STORE_RUN) --asof $(ASOF) \
			|| { rm -f $@.tmp; echo "eod: store: loading $$f failed" >&2; exit 1; }; \
		echo "$$k,$$f" >> $@.tmp; done; mv $@.tmp $@
	@echo "eod: store: $$(($$(wc -l < $@) - 1)) files loaded as run $(STORE_RUN)"
endif
endif
