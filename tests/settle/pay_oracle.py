#!/usr/bin/env python3
"""Independent check of a qe-settle pay run (tests/settle.bats).

usage: pay_oracle.py NET.csv COUNTERPARTIES.csv ACCOUNTS.csv CURRENCIES.csv PAIN.xml REJECTS.csv

Recomputes from the inputs, with its own IBAN (ISO 13616 MOD 97-10) and BIC
checks, which payments we owe, which are held back and why, and asserts
that the pain.001 file carries exactly the others: per payment the
amount (Decimal, from integer minor units and the ISO 4217 exponent), the
creditor IBAN/BIC and name, the debtor account of its currency; per block
and in the group header the counts and control sums.
"""
import csv
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal

NS = {'p': 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09'}
# IBAN lengths of the registry, for the countries the data uses
LENGTHS = {'DE': 22, 'GB': 22, 'FR': 27, 'NL': 18, 'NO': 15, 'SA': 24, 'ES': 24,
           'AE': 23, 'CH': 21, 'IT': 27, 'BE': 16, 'AT': 20}


def iban_ok(s):
    if not s or not s.isalnum() or s.upper() != s or not s.isascii():
        return False
    if LENGTHS.get(s[:2]) != len(s) or not s[2:4].isdigit():
        return False
    return int(''.join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1


def bic_ok(s):
    import re
    return re.fullmatch(r'[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?', s or '') is not None


def rows(path):
    with open(path, newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))


def main(net, cps, accounts, currencies, pain, rejects):
    exp = {r['currency']: int(r['exponent']) for r in rows(currencies)}
    cp = {r['counterparty']: r for r in rows(cps)}
    acc = {r['currency']: r for r in rows(accounts)}
    owed = [r for r in rows(net) if r['direction'] == 'pay' and int(r['amount_minor']) > 0]
    good, held = [], []
    for r in owed:
        c = cp[r['counterparty']]
        (good if iban_ok(c.get('iban')) and bic_ok(c.get('bic')) and r['currency'] in acc
         else held).append(r)

    def amount(r):
        return Decimal(int(r['amount_minor'])).scaleb(-exp[r['currency']])

    doc = ET.parse(pain).getroot()
    got = []
    total_n, total_s = 0, Decimal(0)
    blocks = doc.findall('p:CstmrCdtTrfInitn/p:PmtInf', NS)
    seen_blocks = set()
    for b in blocks:
        ccy = b.find('p:DbtrAcct/p:Ccy', NS).text
        date = b.find('p:ReqdExctnDt/p:Dt', NS).text
        assert (ccy, date) not in seen_blocks, 'one block per account and date'
        seen_blocks.add((ccy, date))
        assert b.find('p:DbtrAcct/p:Id/p:IBAN', NS).text == acc[ccy]['iban']
        assert b.find('p:DbtrAgt/p:FinInstnId/p:BICFI', NS).text == acc[ccy]['bic']
        txs = b.findall('p:CdtTrfTxInf', NS)
        s = Decimal(0)
        for t in txs:
            a = t.find('p:Amt/p:InstdAmt', NS)
            assert a.get('Ccy') == ccy
            got.append((t.find('p:CdtrAcct/p:Id/p:IBAN', NS).text,
                        t.find('p:CdtrAgt/p:FinInstnId/p:BICFI', NS).text,
                        t.find('p:Cdtr/p:Nm', NS).text, ccy, date, Decimal(a.text)))
            s += Decimal(a.text)
            assert t.find('p:RmtInf/p:Ustrd', NS).text.startswith('INV-')
        assert int(b.find('p:NbOfTxs', NS).text) == len(txs)
        assert Decimal(b.find('p:CtrlSum', NS).text) == s, (b.find('p:CtrlSum', NS).text, s)
        total_n += len(txs)
        total_s += s
    hdr = doc.find('p:CstmrCdtTrfInitn/p:GrpHdr', NS)
    assert int(hdr.find('p:NbOfTxs', NS).text) == total_n == len(good), (total_n, len(good))
    assert Decimal(hdr.find('p:CtrlSum', NS).text) == total_s == sum(map(amount, good), Decimal(0))
    want = sorted((cp[r['counterparty']]['iban'], cp[r['counterparty']]['bic'],
                   cp[r['counterparty']]['name'][:140], r['currency'], r['value_date'], amount(r))
                  for r in good)
    assert sorted(got) == want, 'the credit transfers are not the payments we owe'
    ids = [t.text for t in doc.iter('{%s}EndToEndId' % NS['p'])]
    assert len(set(ids)) == len(ids), 'end-to-end ids repeat'
    rej = rows(rejects) if rejects != '-' else []
    assert sorted((r['counterparty'], r['currency'], r['value_date'], r['amount_minor']) for r in rej) == \
        sorted((r['counterparty'], r['currency'], r['value_date'], r['amount_minor']) for r in held)
    for r in rej:
        assert r['reason'] and r['source'], r
    print(f'{len(good)} paid, {len(held)} held back')


if __name__ == '__main__':
    main(*sys.argv[1:7])
