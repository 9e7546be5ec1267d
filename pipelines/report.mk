REPORT_MK := $(lastword $(MAKEFILE_LIST))
# ---- report: positions, risk, the summary of the day and the dashboard ----
# After price and var (and the screen, when it runs: its findings go into
# the summary and the dashboard), qe-report writes under report/:
#
#   report/position.csv   net delta per curve and commodity x month, in
#                         units and lots (qe-report position)
#   report/risk.csv       VaR/ES by book against the VaR limits, stress,
#                         backtest, P&L attribution, top contributors
#                         (qe-report risk; a VaR above its limit is an
#                         alert on stderr, and the run goes on)
#   report/summary.txt    the day in 80 columns (qe-report summary)
#   report/dashboard.html the self-contained HTML dashboard, with the
#                         settlement and the volatility forecast
#   report/pnl.csv        when $(DATA)/prev/ holds the previous day (qe-synth
#   report/pnl-explain.csv --prev): the P&L by trade since that day and its
#                         explain (qe-report pnl), also in the summary and
#                         the dashboard
#   report/cot.csv        the commitments-of-traders report of the live
#                         trades by commodity and trader category
#                         (qe-report cot), options futures-equivalent by
#                         the deltas of price/sensitivities.csv; the
#                         counterparty master as it is (its category column)
#
# The screen's findings are read when pipelines/screen.mk makes them
# (SCREEN_GATE_DEPS, known once every pipelines/*.mk is read: a second
# expansion of the prerequisites).  So are, in the summary and the
# dashboard, the settlement (settle/payments.csv, pay-rejects.csv and
# margin.csv of pipelines/settle.mk, with $(DATA)/currencies.csv for the
# minor units) and the forecast (forecast/garch.csv and garch-path.csv of
# pipelines/forecast.mk, and forecast/sentiment-daily.csv in the
# dashboard when the forecast step writes it), when those steps run: the
# files that are in EOD_OUTPUTS.

REPORT_OUT   := $(OUT)/report
REPORT_FILES := $(REPORT_OUT)/position.csv $(REPORT_OUT)/risk.csv $(REPORT_OUT)/summary.txt \
	$(REPORT_OUT)/dashboard.html
# the previous day, when there is one: its as-of from its curves file
REPORT_PREV  := $(if $(wildcard $(DATA)/prev/curves.csv),$(addprefix $(DATA)/prev/,trades.csv curves.csv \
	vols.csv rates.csv fixings.csv fx.csv))
REPORT_PNL   := $(if $(REPORT_PREV),$(REPORT_OUT)/pnl.csv $(REPORT_OUT)/pnl-explain.csv)
REPORT_FILES += $(REPORT_PNL)
REPORT_FILES += $(REPORT_OUT)/cot.csv
REPORT_PLA   := $(if $(filter-out 0,$(VARFULL)),$(OUT)/var/pla.csv)
REPORT_VAR   := $(OUT)/var/var.csv $(OUT)/var/stress.csv $(OUT)/var/backtest.csv $(REPORT_PLA) \
	$(OUT)/var/components.csv $(OUT)/var/series.csv

ifneq ($(wildcard $(QE_BIN)/qe-report),)
EOD_INPUTS  += $(DATA)/fx.csv $(REPORT_PREV)
EOD_OUTPUTS += $(REPORT_FILES)
eod: $(REPORT_FILES)

$(REPORT_OUT):
	@mkdir -p $@

$(REPORT_OUT)/position.csv: $(call hashed,$(OUT)/price/ladder.csv $(I)/markets.csv $(QE_BIN)/qe-report \
		$(REPORT_MK) $(EOD_MK)) | $(REPORT_OUT)
	$(QE_BIN)/qe-report position -q -l $(OUT)/price/ladder.csv -m $(I)/markets.csv -o $@

# exit 1: a VaR above its limit, an alert
$(REPORT_OUT)/risk.csv: $(call hashed,$(REPORT_VAR) $(I)/limits.csv $(DATA)/fx.csv $(QE_BIN)/qe-report \
		$(REPORT_MK) $(EOD_MK)) | $(REPORT_OUT)
	@rc=0; $(QE_BIN)/qe-report risk -q --var $(OUT)/var/var.csv -l $(I)/limits.csv --fx $(DATA)/fx.csv \
		--stress $(OUT)/var/stress.csv --backtest $(OUT)/var/backtest.csv $(if $(REPORT_PLA),--pla $(REPORT_PLA)) \
		--components $(OUT)/var/components.csv -o $@ || rc=$$?; \
	if [ $$rc -eq 1 ]; then echo "eod: ALERT: report: a VaR is above its limit (see $@)" >&2; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

$(REPORT_OUT)/cot.csv: $(call hashed,$(I)/trades.csv $(OUT)/price/sensitivities.csv $(DATA)/counterparties.csv \
		$(I)/markets.csv $(QE_BIN)/qe-report $(REPORT_MK) $(EOD_MK)) | $(REPORT_OUT)
	$(QE_BIN)/qe-report cot -q -t $(I)/trades.csv -c $(DATA)/counterparties.csv -m $(I)/markets.csv \
		--sensitivities $(OUT)/price/sensitivities.csv -d $(ASOF) -o $@

ifneq ($(REPORT_PNL),)
$(REPORT_PNL) &: $(call hashed,$(REPORT_PREV) $(I)/trades.csv $(I)/curves.csv $(I)/vols.csv $(I)/rates.csv \
		$(I)/fixings.csv $(I)/markets.csv $(DATA)/fx.csv $(EOD_CALENDARS) $(QE_BIN)/qe-report $(REPORT_MK) \
		$(EOD_MK)) | $(REPORT_OUT)
	$(QE_BIN)/qe-report pnl -q --from $$(awk -F, 'NR == 2 { print $$2; exit }' $(DATA)/prev/curves.csv) \
		--to $(ASOF) -m $(I)/markets.csv $(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars) \
		--dir0 $(DATA)/prev --trades1 $(I)/trades.csv --curves1 $(I)/curves.csv --vols1 $(I)/vols.csv \
		--rates1 $(I)/rates.csv --fixings1 $(I)/fixings.csv --fx1 $(DATA)/fx.csv \
		-o $(REPORT_OUT)/pnl.csv -e $(REPORT_OUT)/pnl-explain.csv
endif

.SECONDEXPANSION:
# the settlement and forecast files the run makes (recursive: EOD_OUTPUTS
# is complete in the second expansion and in the recipes); the currencies
# (and the holiday files they name) with the payments
REPORT_SETTLE   = $(filter $(addprefix $(OUT)/settle/,payments.csv pay-rejects.csv margin.csv),$(EOD_OUTPUTS))
REPORT_FORECAST = $(filter $(addprefix $(OUT)/forecast/,garch.csv garch-path.csv),$(EOD_OUTPUTS))
REPORT_SENTIMENT = $(filter $(OUT)/forecast/sentiment-daily.csv,$(EOD_OUTPUTS))
REPORT_CCY      = $(if $(filter %/payments.csv %/pay-rejects.csv,$(REPORT_SETTLE)),$(DATA)/currencies.csv)
report_opt      = $(if $(filter $(2),$(3)),$(1) $(2))
REPORT_SF_OPTS  = $(call report_opt,--payments,$(OUT)/settle/payments.csv,$(REPORT_SETTLE)) \
	$(call report_opt,--pay-rejects,$(OUT)/settle/pay-rejects.csv,$(REPORT_SETTLE)) \
	$(call report_opt,--margin,$(OUT)/settle/margin.csv,$(REPORT_SETTLE)) \
	$(if $(REPORT_CCY),--currencies $(REPORT_CCY) $(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars)) \
	$(call report_opt,--garch,$(OUT)/forecast/garch.csv,$(REPORT_FORECAST)) \
	$(if $(REPORT_FORECAST),$(call report_opt,--garch-path,$(OUT)/forecast/garch-path.csv,$(REPORT_FORECAST)))

# exit 1: an alert (a VaR above its limit, a breach, a payment held back)
$(REPORT_OUT)/summary.txt: $(call hashed,$(REPORT_OUT)/risk.csv $(REPORT_OUT)/position.csv $(REPORT_PNL)) \
		$$(if $$(SCREEN_GATE_DEPS),$(call hashed,$(OUT)/screen/breaches.csv)) \
		$$(call hashed,$$(REPORT_SETTLE) $$(REPORT_FORECAST) $$(REPORT_CCY) $$(if $$(REPORT_CCY),$$(EOD_CALENDARS))) \
		$(call hashed,$(QE_BIN)/qe-report $(REPORT_MK) $(EOD_MK))
	@rc=0; $(QE_BIN)/qe-report summary --risk $(REPORT_OUT)/risk.csv --position $(REPORT_OUT)/position.csv \
		$(if $(REPORT_PNL),--pnl $(REPORT_OUT)/pnl-explain.csv) \
		$(if $(SCREEN_GATE_DEPS),--breaches $(OUT)/screen/breaches.csv) $(REPORT_SF_OPTS) -d $(ASOF) -o $@ || rc=$$?; \
	[ $$rc -le 1 ] || exit $$rc

$(REPORT_OUT)/dashboard.html: $(call hashed,$(REPORT_OUT)/risk.csv $(REPORT_OUT)/position.csv $(OUT)/var/series.csv $(REPORT_PNL)) \
		$$(if $$(SCREEN_GATE_DEPS),$(call hashed,$(OUT)/screen/breaches.csv)) \
		$$(call hashed,$$(REPORT_SETTLE) $$(REPORT_FORECAST) $$(REPORT_SENTIMENT) $$(REPORT_CCY) \
			$$(if $$(REPORT_CCY),$$(EOD_CALENDARS))) \
		$(call hashed,$(QE_BIN)/qe-report $(REPORT_MK) $(EOD_MK))
	$(QE_BIN)/qe-report html -q --series $(OUT)/var/series.csv --risk $(REPORT_OUT)/risk.csv \
		$(if $(REPORT_PNL),--pnl $(REPORT_OUT)/pnl-explain.csv) \
		--position $(REPORT_OUT)/position.csv $(if $(SCREEN_GATE_DEPS),--breaches $(OUT)/screen/breaches.csv) \
		$(REPORT_SF_OPTS) $(if $(REPORT_SENTIMENT),--sentiment $(REPORT_SENTIMENT)) -d $(ASOF) -o $@
else
$(info eod: note: no $(QE_BIN)/qe-report; the reports are skipped)
endif
