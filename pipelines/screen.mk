SCREEN_MK := $(lastword $(MAKEFILE_LIST))
# ---- screen: the compliance and limit gate, after var, before settlement ----
# qe-screen check --rules $(SCREEN_RULES) (limits, sharia, regulatory,
# quality) on the ingested trades, the price step's valuations, ladder and
# sensitivities (options count by delta in the regulatory position rules),
# the VaR by book and total (var/var.csv) and the reference data of
# $(DATA): limits (ingested), the counterparty master as it is (the gate
# screens every counterparty the trades name, the three whose LEI the
# ingest step rejects included: their LEIs are findings of the regulatory
# and quality rules), FX rates, the Shariah profiles and instruments
# (SCREEN_ISLAMIC_BOOKS marked Islamic, profile SCREEN_PROFILE), the
# spot-month limits and the holiday files.
#
#   screen/breaches.csv  every finding (BREACHES of qe-formats(5))
#   screen/alerts.csv    the findings at or above SCREEN_FAIL_ON (default
#                        breach): what the gate acts on; a header alone
#                        when there are none
#
# The gate (GATE, default alert) is the first command of the settle steps
# (pipelines/settle.mk) and, with GATE=stop, of the hedge step
# (pipelines/hedge.mk), which depend on the findings and on GATE (recorded
# in screen/gate.txt, rewritten when another GATE is given: a change of
# GATE redoes them):
#   GATE=alert  one line "eod: ALERT: screen: N finding(s) at or above
#               breach (see .../screen/breaches.csv)" on standard error,
#               and the run goes on: the bundled data breaches on purpose,
#               and `make eod` runs the whole chain;
#   GATE=stop   the same findings stop the run before the hedge proposal
#               (pipelines/hedge.mk) and settlement: make fails with
#               "eod: GATE=stop: ... hedge proposal and settlement not run
#               (see .../screen/breaches.csv)", and no hedge or settle
#               output or manifest is written (those of an earlier run are
#               left as they were).  breaches.csv and alerts.csv are kept.
# Any other failure of qe-screen (exit 2, 3, 4) stops the run and leaves
# no screen output.

GATE                 ?= alert
SCREEN_OUT           := $(OUT)/screen
SCREEN_RULES         ?= limits,sharia,regulatory,quality
SCREEN_FAIL_ON       ?= breach
SCREEN_PROFILE       ?= AAOIFI
SCREEN_ISLAMIC_BOOKS ?= ISLAMIC
SCREEN_FILES         := $(SCREEN_OUT)/breaches.csv $(SCREEN_OUT)/alerts.csv
# reference data read as they are (not ingest kinds)
SCREEN_REF           := $(DATA)/counterparties.csv $(DATA)/fx.csv $(DATA)/sharia_profiles.csv \
	$(DATA)/sharia_instruments.csv $(DATA)/spot_month_limits.csv
SCREEN_ORDER         := info warning breach
# the severities at or above SCREEN_FAIL_ON
SCREEN_SEVERITIES    := $(if $(filter info,$(SCREEN_FAIL_ON)),info warning breach,$(if \
	$(filter warning,$(SCREEN_FAIL_ON)),warning breach,breach))

ifeq ($(filter alert stop,$(GATE)),)
$(error eod: GATE=$(GATE): alert or stop)
endif
ifeq ($(filter $(SCREEN_ORDER),$(SCREEN_FAIL_ON)),)
$(error eod: SCREEN_FAIL_ON=$(SCREEN_FAIL_ON): info, warning or breach)
endif

SCREEN_MISSING := $(if $(wildcard $(QE_BIN)/qe-price),,$(QE_BIN)/qe-price) \
	$(if $(wildcard $(QE_BIN)/qe-screen),,$(QE_BIN)/qe-screen) $(filter-out $(wildcard $(SCREEN_REF)),$(SCREEN_REF))
SCREEN_MISSING := $(strip $(SCREEN_MISSING))

ifeq ($(SCREEN_MISSING),)
EOD_INPUTS  += $(SCREEN_REF) $(EOD_CALENDARS)
EOD_OUTPUTS += $(SCREEN_FILES)
eod: $(SCREEN_FILES)
.PRECIOUS: $(SCREEN_FILES)

$(SCREEN_OUT):
	@mkdir -p $@

# exit 1 (findings at or above SCREEN_FAIL_ON) is the gate's to judge
$(SCREEN_FILES) &: $(call hashed,$(I)/trades.csv $(I)/limits.csv $(I)/markets.csv $(OUT)/price/valuations.csv \
		$(OUT)/price/ladder.csv $(OUT)/price/sensitivities.csv $(OUT)/var/var.csv $(SCREEN_REF) $(EOD_CALENDARS) \
		$(QE_BIN)/qe-screen $(SCREEN_MK) $(EOD_MK)) | $(SCREEN_OUT)
	@rc=0; $(QE_BIN)/qe-screen check -q --rules $(SCREEN_RULES) --asof $(ASOF) \
		--fail-on $(SCREEN_FAIL_ON) -t $(I)/trades.csv -l $(I)/limits.csv -m $(I)/markets.csv \
		-c $(DATA)/counterparties.csv --valuations $(OUT)/price/valuations.csv \
		--ladder $(OUT)/price/ladder.csv --var $(OUT)/var/var.csv --fx $(DATA)/fx.csv \
		--profiles $(DATA)/sharia_profiles.csv --profile $(SCREEN_PROFILE) \
		--instruments $(DATA)/sharia_instruments.csv --islamic-books $(SCREEN_ISLAMIC_BOOKS) \
		--spot-limits $(DATA)/spot_month_limits.csv --sensitivities $(OUT)/price/sensitivities.csv \
		$(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars) \
		-o $(SCREEN_OUT)/breaches.csv.new || rc=$$?; \
	if [ $$rc -gt 1 ] || [ ! -f $(SCREEN_OUT)/breaches.csv.new ]; then \
		echo "eod: screen: qe-screen failed (exit $$rc)" >&2; rm -f $(SCREEN_OUT)/breaches.csv.new; \
		exit $$(( rc > 1 ? rc : 70 )); fi; \
	awk -F, -v sev='$(SCREEN_SEVERITIES)' 'BEGIN { n = split(sev, s, " "); for (i = 1; i <= n; i++) want[s[i]] = 1 } \
		NR == 1 { for (i = 1; i <= NF; i++) c[$$i] = i; print; next } $$c["severity"] in want' \
		$(SCREEN_OUT)/breaches.csv.new > $(SCREEN_OUT)/alerts.csv.new && \
	mv -f $(SCREEN_OUT)/alerts.csv.new $(SCREEN_OUT)/alerts.csv && \
	mv -f $(SCREEN_OUT)/breaches.csv.new $(SCREEN_OUT)/breaches.csv

# GATE as a file, rewritten (atomically) when make reads this file with
# another GATE than the one recorded, so that the settle steps, which
# depend on it, are redone, and so gated, when GATE changes
SCREEN_GATE_FILE := $(SCREEN_OUT)/gate.txt
EOD_OUTPUTS += $(SCREEN_GATE_FILE)
$(shell mkdir -p $(SCREEN_OUT) && { [ "$$(cat $(SCREEN_GATE_FILE) 2>/dev/null)" = "GATE=$(GATE)" ] || \
	{ echo "GATE=$(GATE)" > $(SCREEN_GATE_FILE).tmp && mv -f $(SCREEN_GATE_FILE).tmp $(SCREEN_GATE_FILE); }; })

# the gate, the first command of the steps after it (pipelines/settle.mk,
# pipelines/hedge.mk):
# what it depends on, and the shell command that stops or alerts.  The
# rule_set, rule and severity columns come before any quoted field of
# BREACHES, so awk -F, reads them.
SCREEN_GATE_DEPS := $(call hashed,$(SCREEN_FILES) $(SCREEN_GATE_FILE))
screen_gate = n=$$(($$(wc -l < $(SCREEN_OUT)/alerts.csv) - 1)); \
	if [ $$n -gt 0 ]; then \
		what="$$n finding(s) at or above $(SCREEN_FAIL_ON): $$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$$i] = i; next } \
			{ k = $$c["rule_set"] "/" $$c["rule"]; if (!(k in m)) o[++n] = k; m[k]++ } \
			END { for (i = 1; i <= n; i++) printf "%s%s %d", (i > 1 ? ", " : ""), o[i], m[o[i]] }' $(SCREEN_OUT)/alerts.csv)"; \
		if [ "$(GATE)" = stop ]; then \
			echo "eod: GATE=stop: screen: $$what; hedge proposal and settlement not run (see $(SCREEN_OUT)/breaches.csv)" >&2; exit 1; fi; \
		echo "eod: ALERT: screen: $$what (see $(SCREEN_OUT)/breaches.csv)" >&2; fi
else
# without the screen (tools not built, or a data set without the reference
# files, such as qe-synth's): GATE=alert settles with a note, GATE=stop
# refuses to settle unscreened
SCREEN_GATE_DEPS :=
screen_gate = $(if $(filter stop,$(GATE)),echo "eod: GATE=stop: the screen step cannot run (no \
	$(SCREEN_MISSING)); hedge proposal and settlement not run" >&2; exit 1,:)
$(info eod: note: no $(SCREEN_MISSING); the screen gate is skipped)
endif
