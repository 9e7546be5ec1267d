# End-of-day pipeline: `make eod` (top-level Makefile) runs
#   make -f pipelines/eod.mk QE_BIN=$(CURDIR)/bin
# from the top of the tree.  Every step is a rule on files, so a second run
# recomputes only what changed (and does nothing when nothing did).
#
# Variables (override on the command line):
#   QE_BIN  directory of the qe-* tools          DATA  input data (data)
#   ASOF    as-of date (read from curves.csv)    OUT   out/eod/$(ASOF)
#   EXCHANGE_DIR  exchange settlement files (cme*, ice*) the curves, vols,
#           fixings and history are built from (pipelines/exchange.mk)
#   GATE    alert (default) or stop: what a screen finding does to the
#           settle steps (pipelines/screen.mk)
#   RUN_ID  the run id (QE_RUN_ID, else eod-$(ASOF)) every step gets in
#           QE_RUN_ID; AUDIT_LOG the audit log (out/eod/audit.log)
#   HEDGE=0, FORECAST=0  skip the hedge, forecast steps
#
# The chain: ingest; forecast (GARCH vols of the history) and price; var
# and the full-revaluation VaR on the prices; hedge; the screen gate on
# the VaR, valuations and ladder; settle (flows, payments, invoices) after
# the gate; the manifest last.
#
# Adding a step (a few lines, here or in pipelines/<tool>.mk, which is
# included automatically): a rule that makes files under $(OUT)/<tool>/
# from $(I)/... inputs (the ingested, validated data) and the tool binary,
# then `EOD_OUTPUTS += <its files>` so the run manifest covers them:
#
#   PRICE_MK := $(lastword $(MAKEFILE_LIST))     (first line of the file)
#   EOD_OUTPUTS += $(OUT)/price/valuations.csv
#   $(OUT)/price/valuations.csv: $(call hashed,$(I)/trades.csv $(I)/curves.csv \
#   		$(QE_BIN)/qe-price $(PRICE_MK) $(EOD_MK)) | $(OUT)/price
#   	$(QE_BIN)/qe-price --asof $(ASOF) --trades $(I)/trades.csv ... -o $@
#
# Every file a step reads is a prerequisite of the step, through its
# content-hash stamp ($(call hashed,FILES), below): its data files,
# the holiday files of $(DATA)/calendars/ when the tool reads them, files of
# pipelines/ such as var-shocks.csv, the tool binary, and the Make files
# that define the step (this file and the step's own pipelines/<tool>.mk),
# so that a change to any of them reruns the step and what depends on it,
# and nothing else.  A file a step writes besides its target (rejects,
# errors, a summary) is a grouped target of the same rule (`a b &: ...`)
# and is listed in EOD_OUTPUTS; each data file a tool reads is listed in
# EOD_INPUTS (the tools and the Make files are prerequisites but not rows
# of the manifest).

EOD_MK := $(lastword $(MAKEFILE_LIST))

QE_BIN ?= bin
DATA   ?= data
ASOF   ?= $(shell awk -F, 'NR == 2 { print $$2; exit }' $(DATA)/curves.csv)
OUT    ?= out/eod/$(ASOF)
# VARFULL=0: no full-revaluation VaR or P&L attribution (pipelines/varfull.mk)
VARFULL ?= 1
I      := $(OUT)/ingest

# the holiday files (<NAME>.txt, time/calendar) of the directory the trades
# ingest, price and hedge steps read calendars from: all of them, whichever markets.csv names
EOD_CALENDARS := $(sort $(wildcard $(DATA)/calendars/*.txt))

ifeq ($(ASOF),)
$(error eod: cannot read the as-of date from $(DATA)/curves.csv)
endif

# ---- operations (pipelines/ops.sh, qe(7) OPERATIONS) ------------------------
# The run id every step and the manifest record; the audit log (and the
# copies of the manifests it chains) beside the days' directories.
RUN_ID    ?= $(or $(QE_RUN_ID),eod-$(ASOF))
AUDIT_LOG ?= $(patsubst %/,%,$(dir $(OUT)))/audit.log
OPS_SH    := $(dir $(EOD_MK))ops.sh
export QE_RUN_ID := $(RUN_ID)
export QE_EOD_OUT := $(OUT)
export QE_EOD_ASOF := $(ASOF)
export QE_EOD_BIN := $(QE_BIN)
export QE_EOD_MK_DIR := $(dir $(EOD_MK))
export QE_EOD_AUDIT_LOG := $(AUDIT_LOG)
# every recipe line runs through ops.sh, which records its step (wall and
# CPU time, peak memory, exit code, tool, seed) and, when it fails, writes
# the failed run's manifest, alert and metrics and names the step
.SHELLFLAGS = $(OPS_SH) step $@ -c

# Content, not time: a step depends on the SHA-256 stamps of the files it
# reads ($(call hashed,FILES)), each rewritten only when its file's digest
# changes.  A touched or re-delivered identical file, or an output a rerun
# wrote again byte for byte, reruns nothing after it.  Under make -t, which
# rewrites no output, a newer output counts as changed (so that make -t
# still marks what a run would redo); sources are judged by content always.
HASH   := $(OUT)/.qe/hash
hashed  = $(foreach f,$(1),$(HASH)/$(if $(filter $(OUT)/%,$(f)),out/$(patsubst $(OUT)/%,%,$(f)),$(if \
	$(filter $(QE_BIN)/%,$(f)),bin/$(patsubst $(QE_BIN)/%,%,$(f)),$(if $(filter /%,$(f)),abs$(f),src/$(f)))).sha256)
eod_dry      = $(if $(findstring n,$(filter-out --%,$(firstword -$(MAKEFLAGS)))),dry)
eod_touching = $(if $(findstring t,$(filter-out --%,$(firstword -$(MAKEFLAGS)))),time,$(eod_dry))
# a stamp is no step: its recipe runs in the plain shell, not through
# ops.sh step (private: the files it hashes keep their step records)
$(HASH)/%: private .SHELLFLAGS = -c
$(HASH)/out/%.sha256: $(OUT)/%
	+@/bin/sh $(OPS_SH) stamp $< $@ $(eod_touching)
$(HASH)/bin/%.sha256: $(QE_BIN)/%
	+@/bin/sh $(OPS_SH) stamp $< $@ $(eod_dry)
$(HASH)/abs/%.sha256: /%
	+@/bin/sh $(OPS_SH) stamp $< $@ $(eod_dry)
$(HASH)/src/%.sha256: %
	+@/bin/sh $(OPS_SH) stamp $< $@ $(eod_dry)

.DELETE_ON_ERROR:
.PHONY: eod

eod: $(OUT)/manifest.csv
	@echo "eod: as-of $(ASOF): results in $(OUT)/ (manifest: $(OUT)/manifest.csv)"

$(OUT) $(I):
	@mkdir -p $@

# ---- ingest: validate and normalise every input ---------------------------
# qe-ingest KIND FILE -o OUT --rejects REJECTS.  The bundled data are clean
# except three counterparties whose LEIs are invalid on purpose: qe-ingest
# rejects exactly those (exit 3), and the step checks that nothing else was.
# The rejects file is an output of the step (in the manifest) and is kept
# when the step fails, since it says why.

INGEST_KINDS := markets trades prices fixings vols rates history counterparties limits meters weather
ingest_file   = $(if $(filter prices,$(1)),curves,$(1))
INGESTED     := $(foreach k,$(INGEST_KINDS),$(I)/$(call ingest_file,$(k)).csv)
EOD_INPUTS   := $(foreach k,$(INGEST_KINDS),$(DATA)/$(call ingest_file,$(k)).csv)
INGEST_REJECTS := $(INGESTED:.csv=.rejects.csv)
EOD_OUTPUTS  := $(INGESTED) $(INGEST_REJECTS)
EOD_OUTPUT_DIRS :=
.PRECIOUS: $(INGEST_REJECTS)
# rejects expected in the bundled data, per kind
INGEST_EXPECT_REJECTS_counterparties := 3

# per-kind options: meters are aggregated to hourly settlement periods in
# the market zone of the sites
INGEST_ARGS_meters := --tz Europe/Berlin --period 60
# trades: options are checked against their future's last trading day,
# from the holiday files of the calendars/ next to markets.csv
INGEST_DEPS_trades := $(EOD_CALENDARS)

# the file a kind is ingested from: $(DATA)'s, or with EXCHANGE_DIR=DIR the
# curves, vols, fixings and history built from the exchange settlement
# files there (pipelines/exchange.mk)
ingest_src = $(if $(and $(EXCHANGE_DIR),$(filter prices vols fixings history,$(1))),$(OUT)/exchange/$(call ingest_file,$(1)).csv,$(DATA)/$(call ingest_file,$(1)).csv)

define ingest_rule
$(I)/$(call ingest_file,$(1)).csv $(I)/$(call ingest_file,$(1)).rejects.csv &: $(call hashed,$(call ingest_src,$(1)) \
		$(DATA)/markets.csv $(INGEST_DEPS_$(1)) $(QE_BIN)/qe-ingest $(EOD_MK)) | $(I)
	@rc=0; $(QE_BIN)/qe-ingest $(1) $(call ingest_src,$(1)) --markets $(DATA)/markets.csv \
		$(INGEST_ARGS_$(1)) -o $(I)/$(call ingest_file,$(1)).csv.tmp \
		--rejects $(I)/$(call ingest_file,$(1)).rejects.csv || rc=$$$$?; \
	n=$$$$(($$$$(wc -l 2>/dev/null < $(I)/$(call ingest_file,$(1)).rejects.csv || echo 1) - 1)); \
	if [ $$$$rc -ne 0 ] && { [ $$$$rc -ne 3 ] || [ $$$$n -ne $(or $(INGEST_EXPECT_REJECTS_$(1)),0) ]; }; then \
		echo "eod: ingest $(1): exit $$$$rc, $$$$n rejects (see $(I)/$(call ingest_file,$(1)).rejects.csv)" >&2; \
		rm -f $(I)/$(call ingest_file,$(1)).csv.tmp; exit $$$$(( $$$$rc ? $$$$rc : 1 )); fi; \
	mv $(I)/$(call ingest_file,$(1)).csv.tmp $(I)/$(call ingest_file,$(1)).csv
endef
$(foreach k,$(INGEST_KINDS),$(eval $(call ingest_rule,$(k))))

# ---- later steps ------------------------------------------------------------
-include $(filter-out pipelines/eod.mk,$(wildcard pipelines/*.mk))

# ---- run manifest, alerts, metrics, audit log (pipelines/ops.sh) ----------
# Written last, from the final EOD_INPUTS and EOD_OUTPUTS lists (the data
# files read, calendars and pipelines/var-shocks.csv included; every file
# written, rejects and errors included) and every file of the directories
# of EOD_OUTPUT_DIRS (a step whose output is a set of files named by the
# data, such as the invoice pages of pipelines/settle.mk: the directory
# DIR is written, whole, by the rule of DIR.csv, which stands for it, since
# make -t cannot touch a directory).  RUN MANIFEST of qe-formats(5): the
# run (id, as-of, status), the previous manifest of the audit log, every
# input and output, the tools (SHA-256 and -V) and every step that ran
# (exit, wall and CPU time, peak memory, seed); alerts.csv and metrics.prom
# (Prometheus text format) before it; an entry appended to $(AUDIT_LOG).
# A failed step writes the same files itself (ops.sh step), naming it.
eod_uniq = $(if $(1),$(firstword $(1)) $(call eod_uniq,$(filter-out $(firstword $(1)),$(1))))
EOD_MANIFEST_INPUTS  := $(call eod_uniq,$(EOD_INPUTS))
EOD_MANIFEST_OUTPUTS := $(call eod_uniq,$(EOD_OUTPUTS))
export QE_EOD_INPUTS := $(EOD_MANIFEST_INPUTS)
export QE_EOD_OUTPUTS := $(EOD_MANIFEST_OUTPUTS)
export QE_EOD_DIRS := $(EOD_OUTPUT_DIRS)
$(OUT)/manifest.csv: $(call hashed,$(EOD_INPUTS) $(EOD_OUTPUTS) $(sort $(wildcard $(dir $(EOD_MK))*.mk)) \
		$(OPS_SH)) | $(OUT)
	@/bin/sh $(OPS_SH) finish ok
	@echo "eod: manifest $@"
