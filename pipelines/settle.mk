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
#   settle/pain001.xml   the payments we owe in payments.csv as an ISO 20022
#                        pain.001.001.09 credit transfer (qe-settle pay,
#                        message id RUN_ID, debtor accounts
#                        $(DATA)/accounts.csv, remittances naming the
#                        invoices of the range), and
#   settle/pay-rejects.csv  the payments it holds back for bad bank details,
#                        with the reason: an ALERT, not a failure - the
#                        payment file carries every other payment
#   settle/margin.csv    the SPAN-style initial margin estimate per book of
#                        the priced trades on the as-of market (qe-settle
#                        margin, scan ranges
#                        $(DATA)/span_ranges.csv), and
#   settle/margin-scenarios.csv  every scenario's loss per book and curve
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
SETTLE_REF   := $(DATA)/counterparties.csv $(DATA)/currencies.csv $(DATA)/payment_terms.csv \
	$(DATA)/accounts.csv $(DATA)/span_ranges.csv
SETTLE_OPTS  := --counterparties $(DATA)/counterparties.csv --currencies $(DATA)/currencies.csv \
	--terms $(DATA)/payment_terms.csv $(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars)
SETTLE_RUN   := QE_RUN_ID='$(RUN_ID)' $(QE_BIN)/qe-settle
SETTLE_FILES := $(SETTLE_OUT)/flows.csv $(SETTLE_OUT)/payments.csv $(SETTLE_OUT)/invoices.csv \
	$(SETTLE_OUT)/pain001.xml $(SETTLE_OUT)/pay-rejects.csv $(SETTLE_OUT)/margin.csv \
	$(SETTLE_OUT)/margin-scenarios.csv
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

# the payment file: exit 3 with the rejects written is payments held back
# (the XML and the rejects are committed together, so pay-rejects.csv.new
# exists only then); any other failure stops the run
$(SETTLE_OUT)/pain001.xml $(SETTLE_OUT)/pay-rejects.csv &: $(call hashed,$(SETTLE_OUT)/payments.csv) $(SETTLE_DEPS)
	@rm -f $(SETTLE_OUT)/pay-rejects.csv.new; rc=0; \
	$(SETTLE_RUN) pay -q $(SETTLE_OUT)/payments.csv --asof $(ASOF) --invoice-from $(SETTLE_FROM) --accounts $(DATA)/accounts.csv \
		$(SETTLE_OPTS) -o $(SETTLE_OUT)/pain001.xml --rejects $(SETTLE_OUT)/pay-rejects.csv.new || rc=$$?; \
	if [ $$rc -ne 0 ] && ! { [ $$rc -eq 3 ] && [ -f $(SETTLE_OUT)/pay-rejects.csv.new ]; }; then \
		rm -f $(SETTLE_OUT)/pay-rejects.csv.new; \
		echo "eod: settle: qe-settle pay failed (exit $$rc)" >&2; exit $$rc; fi; \
	mv -f $(SETTLE_OUT)/pay-rejects.csv.new $(SETTLE_OUT)/pay-rejects.csv; \
	n=$$(($$(wc -l < $(SETTLE_OUT)/pay-rejects.csv) - 1)); \
	if [ $$n -gt 0 ]; then echo "eod: ALERT: settle: $$n payment(s) held back for bad bank details" \
		"(see $(SETTLE_OUT)/pay-rejects.csv)" >&2; fi

# the margin reads the ingested market and the book the price step could
# price (var/priced-trades.csv of pipelines/varfull.mk: an unpriceable
# trade, which the price step alerts about, has no forward to scan
# either), after the gate (which the flows step reports; here it only
# stops)
SETTLE_MARGIN_TRADES := $(if $(wildcard $(QE_BIN)/qe-price),$(OUT)/var/priced-trades.csv,$(I)/trades.csv)
$(SETTLE_OUT)/margin.csv $(SETTLE_OUT)/margin-scenarios.csv &: $(call hashed,$(SETTLE_MARGIN_TRADES) $(I)/markets.csv \
		$(I)/curves.csv $(I)/vols.csv $(I)/rates.csv $(DATA)/span_ranges.csv) $(SCREEN_GATE_DEPS) $(SETTLE_DEPS) | $(SETTLE_OUT)
	@$(if $(filter stop,$(GATE)),$(screen_gate),:); \
	$(SETTLE_RUN) margin -q --asof $(ASOF) --trades $(SETTLE_MARGIN_TRADES) --markets $(I)/markets.csv \
		--curves $(I)/curves.csv --vols $(I)/vols.csv --rates $(I)/rates.csv \
		--ranges $(DATA)/span_ranges.csv $(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars) \
		--scenarios $(SETTLE_OUT)/margin-scenarios.csv -o $(SETTLE_OUT)/margin.csv \
		|| { rc=$$?; echo "eod: settle: qe-settle margin failed (exit $$rc)" >&2; exit $$rc; }

# ---- the ledger: the day's EUA deliveries as transfers ---------------------
# With LEDGER (the carbon-allowance ledger file) set, its EUA deliveries
# become transfers (qe-settle ledger requests, our account LEDGER_ACCOUNT)
#   settle/ledger-requests.csv   the transfers of the flows' eua_delivery rows
#                                that the ledger does not hold yet
# and with LEDGER_KEY (the desk's PEM Ed25519 key) too they are appended,
# at the fixed time $(ASOF)T23:59:59Z (a rerun finds its deliveries in the
# ledger by their references and appends nothing twice).  Without LEDGER
# the step is skipped: the bundled data has no ledger.
LEDGER         ?=
LEDGER_KEY     ?=
LEDGER_ACCOUNT ?= QE
ifneq ($(LEDGER),)
EOD_INPUTS  += $(LEDGER)
EOD_OUTPUTS += $(SETTLE_OUT)/ledger-requests.csv
eod: $(SETTLE_OUT)/ledger-requests.csv
$(SETTLE_OUT)/ledger-requests.csv: $(call hashed,$(SETTLE_OUT)/flows.csv $(I)/trades.csv $(I)/markets.csv $(LEDGER)) $(SETTLE_DEPS)
	@$(SETTLE_RUN) ledger requests -q $(LEDGER) $(SETTLE_OUT)/flows.csv --account $(LEDGER_ACCOUNT) --trades $(I)/trades.csv \
		--markets $(I)/markets.csv -o $@ \
		|| { rc=$$?; echo "eod: settle: qe-settle ledger requests failed (exit $$rc)" >&2; exit $$rc; }
ifneq ($(LEDGER_KEY),)
	@$(SETTLE_RUN) ledger append -q $(LEDGER) $@ --key $(LEDGER_KEY) --time $(ASOF)T23:59:59Z \
		|| { rc=$$?; echo "eod: settle: qe-settle ledger append failed (exit $$rc)" >&2; exit $$rc; }; \
	touch $@
endif
endif
else
$(info eod: note: no $(SETTLE_MISSING); the settle steps are skipped)
endif
