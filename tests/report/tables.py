"""The tables of a qe-report html page, read with Python's own HTML parser
(character references decoded): tables(text) -> {id: {'caption': str,
'rows': [[cell text, ...], ...]}} (header cells included, as rows), and
money(minor, exp): minor units as the dashboard writes an amount, from
Python's Decimal (never from qe-report's code)."""
import html.parser
from decimal import Decimal


class _Tables(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.cur, self.row, self.cell, self.cap = {}, None, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'table':
            self.cur = {'caption': '', 'rows': [], 'classes': []}
            self.tables[a.get('id', 'table%d' % len(self.tables))] = self.cur
        elif tag == 'caption' and self.cur is not None:
            self.cap = []
        elif tag == 'tr' and self.cur is not None:
            self.row = []
            self.cur['rows'].append(self.row)
            self.cur['classes'].append(a.get('class') or '')
        elif tag in ('td', 'th') and self.row is not None:
            self.cell = []
        elif tag == 'svg' and self.cell is not None:
            self.cell.append('[svg]')

    def handle_endtag(self, tag):
        if tag == 'table':
            self.cur = self.row = None
        elif tag == 'caption' and self.cap is not None:
            self.cur['caption'] = ''.join(self.cap).strip()
            self.cap = None
        elif tag in ('td', 'th') and self.cell is not None:
            self.row.append(' '.join(''.join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cap is not None:
            self.cap.append(data)
        elif self.cell is not None and '[svg]' not in self.cell[-1:]:
            self.cell.append(data)


def tables(text):
    p = _Tables()
    p.feed(text)
    return p.tables


def money(minor, exp):
    return format(Decimal(minor).scaleb(-exp), ',.%df' % exp)
