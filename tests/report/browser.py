#!/usr/bin/python3
"""Loads an HTML file in a real headless Chromium, driven over the DevTools
protocol on a pipe (--remote-debugging-pipe: no port, no server), with the
network off, at each viewport width given; prints one JSON object per width:
the page's scroll and client widths, each svg.chart's box and element
counts, each svg.spark's box (the small lines in tables), the console
errors, exceptions and requests seen, and the non-background pixels of
each chart's and line's box in a full-page screenshot.

usage: browser.py FILE.html WIDTH[,WIDTH...] [SCREENSHOT-PREFIX]
"""
import base64, io, json, os, subprocess, sys, time
from PIL import Image

path, widths = os.path.abspath(sys.argv[1]), [int(w) for w in sys.argv[2].split(',')]
prefix = sys.argv[3] if len(sys.argv) > 3 else None

r_ours, w_chrome = os.pipe()   # we write commands, chromium reads fd 3
r_chrome, w_ours = os.pipe()   # chromium writes fd 4, we read
def child():
    # fds 3 and 4 of chromium; pipes are close-on-exec, and dup2 onto the
    # same number keeps that flag, so say it
    a, b = os.dup(r_ours), os.dup(w_ours)
    os.dup2(a, 3); os.dup2(b, 4)
    os.set_inheritable(3, True); os.set_inheritable(4, True)
proc = subprocess.Popen(
    ['chromium', '--headless=new', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe',
     '--no-first-run', '--disable-extensions', '--disable-background-networking', '--disable-sync',
     '--disable-component-update', '--host-resolver-rules=MAP * ~NOTFOUND', '--proxy-server=127.0.0.1:9',
     '--hide-scrollbars', 'about:blank'],
    preexec_fn=child, stdout=subprocess.DEVNULL,
    stderr=open(os.environ.get("BROWSER_LOG", "/dev/null"), "w"), close_fds=False)
os.close(r_ours); os.close(w_ours)
wfd, rfd = w_chrome, r_chrome
buf, events, nid = b'', [], 0

def send(method, params=None, session=None):
    global nid
    nid += 1
    msg = {'id': nid, 'method': method, 'params': params or {}}
    if session:
        msg['sessionId'] = session
    os.write(wfd, json.dumps(msg).encode() + b'\0')
    return wait(lambda m: m.get('id') == nid, method)

def read_one():
    global buf
    while b'\0' not in buf:
        chunk = os.read(rfd, 1 << 20)
        if not chunk:
            raise SystemExit('chromium closed the pipe')
        buf += chunk
    raw, buf = buf.split(b'\0', 1)
    return json.loads(raw)

def wait(pred, what, timeout=60):
    t0 = time.time()
    for i, m in enumerate(events):
        if pred(m):
            return events.pop(i)
    while time.time() - t0 < timeout:
        m = read_one()
        if pred(m):
            if 'error' in m:
                raise SystemExit('%s: %s' % (what, m['error']))
            return m
        events.append(m)
    raise SystemExit('timeout waiting for ' + what)

tid = send('Target.createTarget', {'url': 'about:blank'})['result']['targetId']
sid = send('Target.attachToTarget', {'targetId': tid, 'flatten': True})['result']['sessionId']
for dom in ('Page', 'Runtime', 'Log', 'Network'):
    send(dom + '.enable', session=sid)
send('Network.emulateNetworkConditions', {'offline': True, 'latency': 0, 'downloadThroughput': -1,
                                          'uploadThroughput': -1}, session=sid)
probe = r'''JSON.stringify({
  scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
  height: document.documentElement.scrollHeight,
  resources: performance.getEntriesByType('resource').map(e => e.name),
  charts: Array.from(document.querySelectorAll('svg.chart')).map(s => { const r = s.getBoundingClientRect();
    const n = sel => s.querySelectorAll(sel).length;
    return {id: s.id, x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height,
      right: r.right, texts: Array.from(s.querySelectorAll('text')).map(t => t.textContent),
      pnl: n('circle.pnl'), exception: n('path.exception'), limit: n('rect.limit-bar'),
      breach: n('rect.limit-bar.breach'), cell: n('rect.cell'), stress: n('rect.stress-bar'),
      waterfall: n('rect.waterfall-bar'), parts: Array.from(s.querySelectorAll('text.part')).map(t => t.textContent),
      margin: n('rect.margin-bar')}; }),
  sparks: Array.from(document.querySelectorAll('svg.spark')).map(s => { const r = s.getBoundingClientRect();
    return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height, right: r.right,
      lines: s.querySelectorAll('polyline').length}; }),
  tables: Array.from(document.querySelectorAll('table')).map(t => t.id)
})'''
for width in widths:
    send('Emulation.setDeviceMetricsOverride', {'width': width, 'height': 900, 'deviceScaleFactor': 1,
                                                'mobile': width < 500}, session=sid)
    events.clear()
    send('Page.navigate', {'url': 'file://' + path}, session=sid)
    wait(lambda m: m.get('method') == 'Page.loadEventFired', 'load')
    res = send('Runtime.evaluate', {'expression': probe, 'returnByValue': True}, session=sid)
    page = json.loads(res['result']['result']['value'])
    shot = send('Page.captureScreenshot', {'format': 'png', 'captureBeyondViewport': True}, session=sid)
    png = base64.b64decode(shot['result']['data'])
    if prefix:
        open('%s-%d.png' % (prefix, width), 'wb').write(png)
    img = Image.open(io.BytesIO(png)).convert('RGB')
    for c in page['charts'] + page['sparks']:
        box = img.crop((int(c['x']), int(c['y']), int(c['x'] + c['w']), int(c['y'] + c['h'])))
        counts = box.getcolors(max(1, box.width * box.height)) or []
        total = max(1, box.width * box.height)
        c['inked'] = 1 - max([n for n, _ in counts] or [total]) / total  # all but the background
        c['colours'] = len(counts)
    # what the page said and asked for while loading
    for m in events:
        meth, p = m.get('method'), m.get('params', {})
        if meth == 'Runtime.exceptionThrown':
            page.setdefault('errors', []).append(p['exceptionDetails'].get('text'))
        elif meth == 'Runtime.consoleAPICalled' and p.get('type') in ('error', 'warning', 'assert'):
            page.setdefault('errors', []).append(str(p.get('args')))
        elif meth == 'Log.entryAdded' and p['entry'].get('level') in ('error', 'warning'):
            page.setdefault('errors', []).append(p['entry'].get('text'))
        elif meth == 'Network.requestWillBeSent':
            url = p['request']['url']
            if not url.startswith('file://' + path):
                page.setdefault('requests', []).append(url)
    page['width'] = width
    page['screenshot'] = [img.width, img.height]
    print(json.dumps(page))
try:
    send('Browser.close')
except SystemExit:
    pass
proc.wait(timeout=30)
