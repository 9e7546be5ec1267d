SETTLE_MK := $(lastword $(MAKEFILE_LIST))
# ---- settle: cash flows, payments, invoices, after the screen gate ---------
# qe-settle on the ingested trades, curve master, fixings and history, the
# counterparty master as it is (every counterparty a trade names, with its
# netting flag), $(DATA)/currencies.csv, $(DATA)/payment_terms.csv and the
# holiday files (TARGET2 for EUR, FED for USD, the exchanges' for event
# days).  The range of value dates is the as-of date and the SETTLE_DAYS
# (default 7) calendar days after it, [SETTLE_FROM, SETTLE_TO]:
# 2026-11-25..2026-12-02 for the bundled data (a range that pays November's
# swaps, from 2026-12-03 on, needs fixings after the bundled market's last
# day and fails).
#
#   settle/flows.csv     every cash flow with a value date in the range
#                        (qe-settle flows: margin, swaps, deliveries,
#                        premiums, EUA deliveries)
#   settle/payments.csv  the flows netted per counterparty x currency x
#                        value date where the counterparty nets, gross
#                        otherwise (qe-settle net)
#   settle/invoices.csv  one invoice per counterparty with a payment in
#                        the range (qe-settle invoice), and
#   settle/invoices/     its printable page INV-YYYYMMDD-COUNTERPARTY.html;
#                        the directory is replaced whole, so an invoice of
#                        an earlier run never lingers, and every page is a
#                        row of the manifest
#
# The steps run after the screen gate (pipelines/screen.mk, GATE=stop
# stops before them) and with the run id RUN_ID (default eod-$(ASOF)) in
# QE_RUN_ID, from which qe-settle's payment files take their message id,
# so that a rerun reproduces them byte for byte.  Each output is written
# atomically (qe-settle -o; the invoices and their pages are committed
# together); any failure stops the run and leaves the previous outputs.

RUN_ID       ?= eod-$(ASOF)
SETTLE_OUT   := $(OUT)/settle
SETTLE_DAYS  ?= 7
SETTLE_FROM  := $(ASOF)
SETTLE_TO    := $(shell date -u -d '$(ASOF) + $(SETTLE_DAYS) days' +%F 2>/dev/null)
SETTLE_REF   := $(DATA)/counterparties.csv $(DATA)/currencies.csv $(DATA)/payment_terms.csv
SETTLE_OPTS  := --counterparties $(DATA)/counterparties.csv --currencies $(DATA)/currencies.csv \
	--terms $(DATA)/payment_terms.csv $(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars)
SETTLE_RUN   := QE_RUN_ID='$(RUN_ID)' $(QE_BIN)/qe-settle
SETTLE_FILES := $(SETTLE_OUT)/flows.csv $(SETTLE_OUT)/payments.csv $(SETTLE_OUT)/invoices.csv
SETTLE_DEPS  := $(call hashed,$(SETTLE_REF) $(EOD_CALENDARS) $(QE_BIN)/qe-settle $(SETTLE_MK) $(EOD_MK))

SETTLE_MISSING := $(strip $(if $(wildcard $(QE_BIN)/qe-settle),,$(QE_BIN)/qe-settle) \
	$(filter-out $(wildcard $(SETTLE_REF)),$(SETTLE_REF)))

ifeq ($(SETTLE_MISSING),)
ifeq ($(SETTLE_TO),)
$(error eod: settle: cannot add SETTLE_DAYS=$(SETTLE_DAYS) days to $(ASOF))
endif
EOD_INPUTS      += $(SETTLE_REF) $(EOD_CALENDARS)
EOD_OUTPUTS     += $(SETTLE_FILES)
EOD_OUTPUT_DIRS += $(SETTLE_OUT)/invoices
eod: $(SETTLE_FILES)

$(SETTLE_OUT):
	@mkdir -p $@

# after the gate (pipelines/screen.mk): GATE=stop with findings fails here
$(SETTLE_OUT)/flows.csv: $(call hashed,$(I)/trades.csv $(I)/markets.csv $(I)/fixings.csv $(I)/history.csv) \
		$(SCREEN_GATE_DEPS) $(SETTLE_DEPS) | $(SETTLE_OUT)
	@$(screen_gate); \
	$(SETTLE_RUN) flows -q --from $(SETTLE_FROM) --to $(SETTLE_TO) --trades $(I)/trades.csv \
		--markets $(I)/markets.csv --fixings $(I)/fixings.csv --history $(I)/history.csv \
		$(SETTLE_OPTS) -o $@ || { rc=$$?; echo "eod: settle: qe-settle flows failed (exit $$rc)" >&2; exit $$rc; }
$(SETTLE_OUT)/payments.csv: $(call hashed,$(SETTLE_OUT)/flows.csv) $(SETTLE_DEPS)
	@$(SETTLE_RUN) net -q $(SETTLE_OUT)/flows.csv $(SETTLE_OPTS) -o $@ \
		|| { rc=$$?; echo "eod: settle: qe-settle net failed (exit $$rc)" >&2; exit $$rc; }
# the pages go to invoices.new/, which replaces invoices/ once qe-settle has
# committed them with invoices.csv (the directory is not a target: make -t
# cannot touch one; invoices.csv stands for both, and is moved last)
$(SETTLE_OUT)/invoices.csv: $(call hashed,$(SETTLE_OUT)/flows.csv) $(SETTLE_DEPS)
	@rm -rf $(SETTLE_OUT)/invoices.new $(SETTLE_OUT)/invoices.old; mkdir $(SETTLE_OUT)/invoices.new; \
	$(SETTLE_RUN) invoice -q --from $(SETTLE_FROM) --to $(SETTLE_TO) $(SETTLE_OUT)/flows.csv $(SETTLE_OPTS) \
		-o $(SETTLE_OUT)/invoices.csv.new --html $(SETTLE_OUT)/invoices.new \
		|| { rc=$$?; echo "eod: settle: qe-settle invoice failed (exit $$rc)" >&2; \
			rm -rf $(SETTLE_OUT)/invoices.new; exit $$rc; }; \
	if [ -d $(SETTLE_OUT)/invoices ]; then mv $(SETTLE_OUT)/invoices $(SETTLE_OUT)/invoices.old; fi; \
	mv $(SETTLE_OUT)/invoices.new $(SETTLE_OUT)/invoices && rm -rf $(SETTLE_OUT)/invoices.old && \
	mv -f $(SETTLE_OUT)/invoices.csv.new $(SETTLE_OUT)/invoices.csv

# ---- to come: ledger append of the day's EUA deliveries --------------------
# The eua_delivery rows of settle/flows.csv become ledger transfers once the
# converter from flows to LEDGER REQUESTS exists (another helper is adding
# it): a rule making $(SETTLE_OUT)/ledger-requests.csv from
# $(SETTLE_OUT)/flows.csv, then
#   $(SETTLE_RUN) ledger append LEDGER $(SETTLE_OUT)/ledger-requests.csv \
#       --key KEY --time $(ASOF)T23:59:59Z --checkpoint LEDGER.checkpoint
# with the run id and a fixed --time, so that a rerun appends nothing twice.
# ---- to come: qe-settle pay (ISO 20022 pain.001) and margin (issue 15) -----
else
$(info eod: note: no $(SETTLE_MISSING); the settle steps are skipped)
endif
