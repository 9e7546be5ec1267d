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
# Not yet in the step (marked below where it goes): the forecast as a vols
# file for qe-price and qe-var (qe-forecast garch --to-vols).
#
# ---- forecast: demand on the weather, headline sentiment -------------------
# qe-forecast demand regresses the daily demand DEMAND_SERIES
# ($(DATA)/demand.csv: GWh of a German zone, date,value) on the weather
# features of station DEMAND_STATION (EDDF, Frankfurt) of the ingested
# weather: heating and cooling degree days (base 18 C), DEMAND_LAGS (1)
# lagged mean temperatures, weekday dummies and the holidays of
# DEMAND_CALENDAR (EEX, $(DATA)/calendars/EEX.txt); with a weather
# forecast WEATHER_FORECAST ($(DATA)/weather_forecast.csv: the days after
# the weather's last, the same columns) it forecasts each of its days
# with the DEMAND_LEVEL (0.95) intervals:
#
#   forecast/demand.csv           the coefficients (REGRESSION of qe-formats(5))
#   forecast/demand-fit.csv       the fit: n, R2, F, sigma (its summary)
#   forecast/demand-forecast.csv  the forecast (DEMAND FORECAST), with a
#                                 weather forecast only
#
# qe-forecast sentiment scores the headlines of $(DATA)/headlines.csv,
# validated first by qe-ingest headlines as every input is (ingest/
# headlines.csv and its rejects), with the lexicon SENTIMENT_LEXICON and
# the commodity keywords SENTIMENT_COMMODITIES ($(DATA)'s, else the
# tree's data/: the desk's reference data, not the day's):
#
#   forecast/sentiment.csv        score, label and commodities per headline
#                                 (SENTIMENT)
#   forecast/sentiment-daily.csv  the daily index per commodity: headlines,
#                                 mean score, labels (SENTIMENT --daily)
#
# Each runs when its inputs exist (a qe-synth data set has headlines but
# no demand series); a failure stops the run and names the step.

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
endif

DEMAND_SERIES    ?= $(wildcard $(DATA)/demand.csv)
DEMAND_STATION   ?= EDDF
DEMAND_LAGS      ?= 1
DEMAND_CALENDAR  ?= EEX
DEMAND_LEVEL     ?= 0.95
WEATHER_FORECAST ?= $(wildcard $(DATA)/weather_forecast.csv)
DEMAND_CAL_FILE  := $(if $(DEMAND_CALENDAR),$(wildcard $(DATA)/calendars/$(DEMAND_CALENDAR).txt))
DEMAND_FILES     := $(FORECAST_OUT)/demand.csv $(FORECAST_OUT)/demand-fit.csv \
	$(if $(WEATHER_FORECAST),$(FORECAST_OUT)/demand-forecast.csv)
SENTIMENT_LEXICON     ?= $(firstword $(wildcard $(DATA)/sentiment_lexicon.csv data/sentiment_lexicon.csv))
SENTIMENT_COMMODITIES ?= $(firstword $(wildcard $(DATA)/sentiment_commodities.csv data/sentiment_commodities.csv))
SENTIMENT_HEADLINES   := $(wildcard $(DATA)/headlines.csv)
SENTIMENT_FILES       := $(FORECAST_OUT)/sentiment.csv $(FORECAST_OUT)/sentiment-daily.csv

ifeq ($(FORECAST)$(if $(wildcard $(QE_BIN)/qe-forecast),yes),1yes)
$(FORECAST_OUT):
	@mkdir -p $@

ifneq ($(DEMAND_SERIES),)
# the forecast's first day and its prediction interval, on the line of the fit
demand_say_forecast = awk -F, 'NR == 2 { printf "; %s: %.5g (%.5g .. %.5g)", $$1, $$2, $$6, $$7 }' \
	$(FORECAST_OUT)/demand-forecast.csv >&2;
EOD_INPUTS  += $(DEMAND_SERIES) $(WEATHER_FORECAST) $(DEMAND_CAL_FILE)
EOD_OUTPUTS += $(DEMAND_FILES)
eod: $(DEMAND_FILES)

$(DEMAND_FILES) &: $(call hashed,$(DEMAND_SERIES) $(I)/weather.csv $(WEATHER_FORECAST) $(DEMAND_CAL_FILE) \
		$(QE_BIN)/qe-forecast $(FORECAST_MK) $(EOD_MK)) | $(FORECAST_OUT)
	@rc=0; $(QE_BIN)/qe-forecast demand -q --weather $(I)/weather.csv --station $(DEMAND_STATION) \
		--lags $(DEMAND_LAGS) $(if $(DEMAND_CAL_FILE),--calendar $(DEMAND_CALENDAR) --calendars $(DATA)/calendars) \
		$(if $(WEATHER_FORECAST),--forecast-weather $(WEATHER_FORECAST) \
			--forecast $(FORECAST_OUT)/demand-forecast.csv --level $(DEMAND_LEVEL)) \
		--summary $(FORECAST_OUT)/demand-fit.csv -o $(FORECAST_OUT)/demand.csv $(DEMAND_SERIES) || rc=$$?; \
	if [ $$rc -ne 0 ]; then echo "eod: forecast: qe-forecast demand failed (exit $$rc)" >&2; exit $$rc; fi; \
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$$i] = i; next } \
		{ printf "eod: forecast: demand on $(DEMAND_STATION) weather: %s days, R2 %.3f, sigma %.4g", \
		$$c["n"], $$c["r2"], $$c["sigma"] }' $(FORECAST_OUT)/demand-fit.csv >&2; \
	$(if $(WEATHER_FORECAST),$(demand_say_forecast)) echo >&2
endif

ifneq ($(and $(SENTIMENT_HEADLINES),$(SENTIMENT_LEXICON),$(SENTIMENT_COMMODITIES)),)
# the headlines are ingested by the rule of every input (pipelines/eod.mk),
# which this file adds
INGEST_DEPS_headlines := $(FORECAST_MK)
$(eval $(call ingest_rule,headlines))
EOD_INPUTS  += $(SENTIMENT_HEADLINES) $(SENTIMENT_LEXICON) $(SENTIMENT_COMMODITIES)
EOD_OUTPUTS += $(I)/headlines.csv $(I)/headlines.rejects.csv $(SENTIMENT_FILES)
.PRECIOUS: $(I)/headlines.rejects.csv
eod: $(SENTIMENT_FILES)

$(SENTIMENT_FILES) &: $(call hashed,$(I)/headlines.csv $(SENTIMENT_LEXICON) $(SENTIMENT_COMMODITIES) \
		$(QE_BIN)/qe-forecast $(FORECAST_MK) $(EOD_MK)) | $(FORECAST_OUT)
	@rc=0; $(QE_BIN)/qe-forecast sentiment -q --lexicon $(SENTIMENT_LEXICON) --commodities $(SENTIMENT_COMMODITIES) \
		--daily $(FORECAST_OUT)/sentiment-daily.csv -o $(FORECAST_OUT)/sentiment.csv $(I)/headlines.csv || rc=$$?; \
	if [ $$rc -ne 0 ]; then echo "eod: forecast: qe-forecast sentiment failed (exit $$rc)" >&2; exit $$rc; fi; \
	awk -F, 'NR > 1 { if ($$1 != d) { d = $$1; s = "" } s = s sprintf(" %s %+.2f (%d)", $$2, $$4, $$3) } \
		END { if (d != "") printf "eod: forecast: sentiment on %s:%s\n", d, s }' $(FORECAST_OUT)/sentiment-daily.csv >&2
endif
endif
