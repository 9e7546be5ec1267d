FORECAST_MK := $(lastword $(MAKEFILE_LIST))
# ---- forecast: GARCH volatility of the history, after ingest ---------------
# qe-forecast garch -H fits GARCH(1,1) (normal innovations) to the log
# returns of one curve and tenor of the ingested history and forecasts its
# variance over the next FORECAST_HORIZON days.  The series are the
# FORECAST_TENORS of every curve whose `returns` in $(DATA)/markets.csv are
# `log` (power curves have absolute returns and negative prices, which have
# no log returns: qe-forecast does not fit them):
#
#   forecast/garch/CURVE-TENOR.csv       the fit (GARCH FIT of qe-formats(5))
#   forecast/garch/CURVE-TENOR-path.csv  its forecast (GARCH FORECAST): daily
#                                        variance, annualised and term vol
#   forecast/garch.csv       every fit, one row per series (CURVE:TENOR)
#   forecast/garch-path.csv  every forecast path
#
# Any failure of a fit (exit 3 bad history, 5 no convergence) stops the run
# and names the series; its outputs are not written (qe-forecast commits the
# fit and the path together or neither).  `make eod FORECAST=0` skips the
# step.
#
# Not yet in the step (marked below where they go): the forecast as a vols
# file for qe-price and qe-var (qe-forecast garch --to-vols, being added),
# and a demand regression (qe-forecast regress): the bundled data has no
# demand series to regress (meters.csv covers the two clock-change weeks
# only) and `qe-forecast demand`, which builds the weather features, is not
# written yet.

FORECAST         ?= 1
FORECAST_OUT     := $(OUT)/forecast
FORECAST_TENORS  ?= 1 2 3
FORECAST_HORIZON ?= 20
# the log-return curves of the curve master, by its `returns` column
FORECAST_CURVES  ?= $(shell awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$$i] = i; next } \
	$$c["returns"] == "log" { print $$1 }' $(DATA)/markets.csv 2>/dev/null)
FORECAST_SERIES  := $(foreach c,$(FORECAST_CURVES),$(foreach t,$(FORECAST_TENORS),$(c)-$(t)))
FORECAST_FITS    := $(foreach s,$(FORECAST_SERIES),$(FORECAST_OUT)/garch/$(s).csv)
FORECAST_PATHS   := $(foreach s,$(FORECAST_SERIES),$(FORECAST_OUT)/garch/$(s)-path.csv)

ifeq ($(FORECAST)$(if $(wildcard $(QE_BIN)/qe-forecast),yes)$(if $(FORECAST_SERIES),series),1yesseries)
EOD_OUTPUTS += $(FORECAST_FITS) $(FORECAST_PATHS) $(FORECAST_OUT)/garch.csv $(FORECAST_OUT)/garch-path.csv
eod: $(FORECAST_OUT)/garch.csv $(FORECAST_OUT)/garch-path.csv

$(FORECAST_OUT)/garch:
	@mkdir -p $@

# forecast_rule CURVE TENOR
define forecast_rule
$(FORECAST_OUT)/garch/$(1)-$(2).csv $(FORECAST_OUT)/garch/$(1)-$(2)-path.csv &: $(call hashed,$(I)/history.csv \
		$(QE_BIN)/qe-forecast $(FORECAST_MK) $(EOD_MK)) | $(FORECAST_OUT)/garch
	@rc=0; $(QE_BIN)/qe-forecast garch -q -H $(I)/history.csv --curve $(1) --tenor $(2) \
		--horizon $(FORECAST_HORIZON) --forecast $(FORECAST_OUT)/garch/$(1)-$(2)-path.csv \
		-o $(FORECAST_OUT)/garch/$(1)-$(2).csv || rc=$$$$?; \
	if [ $$$$rc -ne 0 ]; then echo "eod: forecast: qe-forecast garch $(1):$(2) failed (exit $$$$rc)" >&2; exit $$$$rc; fi
endef
$(foreach c,$(FORECAST_CURVES),$(foreach t,$(FORECAST_TENORS),$(eval $(call forecast_rule,$(c),$(t)))))

# the fits and paths of every series in one file each (the header once)
$(FORECAST_OUT)/garch.csv: $(call hashed,$(FORECAST_FITS) $(FORECAST_MK) $(EOD_MK))
	@awk 'FNR > 1 || NR == 1' $(FORECAST_FITS) > $@.tmp && mv $@.tmp $@
$(FORECAST_OUT)/garch-path.csv: $(call hashed,$(FORECAST_PATHS) $(FORECAST_MK) $(EOD_MK))
	@awk 'FNR > 1 || NR == 1' $(FORECAST_PATHS) > $@.tmp && mv $@.tmp $@

# ---- to come: qe-forecast garch --to-vols (another helper is adding it) ----
# the forecast as a vols file (VOLS of qe-formats(5)) for qe-price and
# qe-var: a rule making $(FORECAST_OUT)/vols.csv from $(I)/history.csv,
# added to EOD_OUTPUTS; the price step keeps reading $(I)/vols.csv until
# the desk chooses to price on forecast vols.
# ---- to come: qe-forecast demand / regress on the weather -----------------
endif
