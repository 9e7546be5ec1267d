VAR_MK := $(lastword $(MAKEFILE_LIST))
# ---- var: VaR/ES by book and total, stress, backtest ----------------------
# Positions are the sensitivities of qe-price.  When pipelines/price.mk
# provides them ($(OUT)/price/sensitivities.csv) they are used; otherwise,
# when qe-price is built, this file runs it for them; without qe-price the
# risk steps are skipped with a warning.
#
#   var/var.csv         HS VaR/ES 97.5% and 99%, 1 day, 500 days, by book and total
#   (every VaR step but cov also moves the ATM vols of $(DATA)/vol_history.csv:
#   the vega of the sensitivities is risk, factors VOL:CURVE:TENOR)
#   var/param.csv       delta-normal VaR/ES, EWMA covariance, same levels
#   var/mc.csv          Monte Carlo VaR/ES (200,000 paths, seed 1), EWMA covariance
#   var/components.csv  component/marginal/incremental VaR of the books
#   var/stress.csv      P&L under pipelines/var-shocks.csv and the worst 10-day window
#   var/cov.csv         covariance of daily price changes (for qe-optimize hedge)
#   var/series.csv      a year of daily 99% HS VaR vs P&L of today's book (USD total)
#   var/backtest.csv    Kupiec, Christoffersen, traffic light; a rejection is
#                       reported as an alert, not a failure of the run

VAR_OUT    := $(OUT)/var
VAR_SHOCKS := pipelines/var-shocks.csv
# the validated markets.csv has no calendars/ beside it: the data set's
VAR_IN     := -H $(I)/history.csv -m $(I)/markets.csv --asof $(ASOF) \
	$(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars)
# the price step's sensitivities when it makes them, else this file runs qe-price
VAR_PRICE_SENS := $(shell grep -ls 'price/sensitivities\.csv' pipelines/price.mk 2>/dev/null)
ifneq ($(VAR_PRICE_SENS),)
VAR_SENS   := $(OUT)/price/sensitivities.csv
else
VAR_SENS   := $(VAR_OUT)/sensitivities.csv
endif
VAR_FILES  := var param mc components stress cov series backtest
# the volatility history (not validated by the ingest step: qe-var reads it
# with the checks of qe-ingest vol-history)
VAR_VOLHIST := $(wildcard $(DATA)/vol_history.csv)
VAR_VOL    := $(if $(VAR_VOLHIST),--vol-history $(VAR_VOLHIST))
# P&L is never added across currencies: VaR rows are per currency (column
# currency), and the backtest series takes one currency's total
VAR_SERIES_PORTFOLIO ?= total/USD

ifneq ($(wildcard $(QE_BIN)/qe-price),)
EOD_OUTPUTS += $(foreach f,$(VAR_FILES),$(VAR_OUT)/$(f).csv)
eod: $(foreach f,$(VAR_FILES),$(VAR_OUT)/$(f).csv)

$(VAR_OUT):
	@mkdir -p $@

ifeq ($(VAR_PRICE_SENS),)
EOD_OUTPUTS += $(VAR_SENS) $(VAR_OUT)/valuations.csv $(VAR_OUT)/price-errors.csv
EOD_INPUTS  += $(EOD_CALENDARS)
$(VAR_SENS) $(VAR_OUT)/valuations.csv $(VAR_OUT)/price-errors.csv &: $(call hashed,$(I)/trades.csv $(I)/curves.csv \
		$(I)/vols.csv $(I)/rates.csv $(I)/fixings.csv $(I)/markets.csv $(EOD_CALENDARS) \
		$(QE_BIN)/qe-price $(VAR_MK) $(EOD_MK)) | $(VAR_OUT)
	@rc=0; $(QE_BIN)/qe-price -q --asof $(ASOF) --trades $(I)/trades.csv --curves $(I)/curves.csv \
		--vols $(I)/vols.csv --rates $(I)/rates.csv --markets $(I)/markets.csv \
		--fixings $(I)/fixings.csv $(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars) \
		-o $(VAR_OUT)/valuations.csv --sensitivities $(VAR_SENS).tmp \
		--errors $(VAR_OUT)/price-errors.csv || rc=$$?; \
	if [ $$rc -eq 3 ]; then echo "eod: warning: some trades unpriced, not in VaR (see $(VAR_OUT)/price-errors.csv)" >&2; \
	elif [ $$rc -ne 0 ]; then rm -f $(VAR_SENS).tmp; exit $$rc; fi; \
	mv $(VAR_SENS).tmp $(VAR_SENS)
endif

# (the directory is an order-only prerequisite, written after the others
# on each rule: anything after `|` would be order-only too)
# qe-var checks the history's last date against the curves' holiday files
VAR_DEPS := $(call hashed,$(I)/history.csv $(I)/markets.csv $(EOD_CALENDARS) $(VAR_SENS) $(VAR_VOLHIST) \
	$(QE_BIN)/qe-var $(VAR_MK) $(EOD_MK))
EOD_INPUTS += $(VAR_SHOCKS) $(EOD_CALENDARS) $(VAR_VOLHIST)

$(VAR_OUT)/var.csv: $(VAR_DEPS) | $(VAR_OUT)
	$(QE_BIN)/qe-var hs -q $(VAR_IN) $(VAR_VOL) -s $(VAR_SENS) -a 0.975,0.99 --window 500 -o $@
$(VAR_OUT)/param.csv: $(VAR_DEPS) | $(VAR_OUT)
	$(QE_BIN)/qe-var param -q $(VAR_IN) $(VAR_VOL) -s $(VAR_SENS) -a 0.975,0.99 --window 500 --cov ewma -o $@
$(VAR_OUT)/mc.csv: $(VAR_DEPS) | $(VAR_OUT)
	$(QE_BIN)/qe-var mc -q $(VAR_IN) $(VAR_VOL) -s $(VAR_SENS) -a 0.975,0.99 --window 500 --cov ewma \
		--paths 200000 --seed 1 --repair -o $@
$(VAR_OUT)/components.csv: $(VAR_DEPS) | $(VAR_OUT)
	$(QE_BIN)/qe-var components -q $(VAR_IN) $(VAR_VOL) -s $(VAR_SENS) -a 0.99 --window 500 -o $@
$(VAR_OUT)/stress.csv: $(VAR_DEPS) $(call hashed,$(VAR_SHOCKS)) | $(VAR_OUT)
	$(QE_BIN)/qe-var stress -q $(VAR_IN) $(VAR_VOL) -s $(VAR_SENS) --shocks $(VAR_SHOCKS) --worst \
		--horizon 10 -o $@
$(VAR_OUT)/cov.csv: $(call hashed,$(I)/history.csv $(I)/markets.csv $(EOD_CALENDARS) $(QE_BIN)/qe-var $(VAR_MK) \
		$(EOD_MK)) | $(VAR_OUT)
	$(QE_BIN)/qe-var cov -q $(VAR_IN) --window 500 --cov ewma -o $@
$(VAR_OUT)/series.csv: $(VAR_DEPS) | $(VAR_OUT)
	$(QE_BIN)/qe-var series -q $(VAR_IN) $(VAR_VOL) -s $(VAR_SENS) -a 0.99 --window 250 --days 250 \
		--portfolio $(VAR_SERIES_PORTFOLIO) -o $@
$(VAR_OUT)/backtest.csv: $(call hashed,$(VAR_OUT)/series.csv $(QE_BIN)/qe-var $(VAR_MK) $(EOD_MK))
	@rc=0; $(QE_BIN)/qe-var backtest -q -a 0.99 $(VAR_OUT)/series.csv -o $@ || rc=$$?; \
	if [ $$rc -eq 1 ]; then echo "eod: ALERT: VaR backtest rejected the model (see $@)" >&2; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi
else
$(info eod: warning: $(QE_BIN)/qe-price not built; the var and backtest steps are skipped)
endif
