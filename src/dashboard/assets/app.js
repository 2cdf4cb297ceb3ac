// The dashboard page: one EventSource on /api/events (it reconnects by itself), rows kept by
// key and updated in place (a message touches only the rows it names), actions as plan ->
// confirmation -> result rows through /api/plan and /api/execute. Text from the clusters is
// only ever put in the page as text (textContent), never as markup.
'use strict';

(function () {
  const UNKNOWN = '?';
  // The stream is stale when nothing arrived for this long (the server sends a tick every 5 s).
  const STALE_AFTER_MS = 12000;

  // The token comes in the URL's fragment, which no browser sends to a server or in a Referer;
  // it moves to this tab's session storage and out of the address bar.
  const fragment = new URLSearchParams(location.hash.slice(1));
  let token = fragment.get('token');
  if (token) {
    sessionStorage.setItem('kkr-dashboard-token', token);
    history.replaceState(null, '', location.pathname);
  } else {
    token = sessionStorage.getItem('kkr-dashboard-token');
  }

  const $ = (id) => document.getElementById(id);
  const tbody = document.querySelector('#rows tbody');
  const rows = new Map(); // key -> {tr, cells, data}
  let order = []; // keys in display order
  let readOnly = true;
  let clockOffset = 0; // server seconds - local seconds
  let lastMessage = 0;
  let streamState = 'connecting';
  let pending = []; // messages waiting for the next frame
  let openDetail = null;
  let filterText = '';

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  const known = (v) => (v === null || v === undefined ? UNKNOWN : String(v));
  const serverNow = () => Date.now() / 1000 + clockOffset;

  function human(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return UNKNOWN;
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) return seconds + 's';
    const m = Math.floor(seconds / 60), s = seconds % 60;
    if (m < 60) return m + 'm' + (s ? s + 's' : '');
    const h = Math.floor(m / 60);
    if (h < 24) return h + 'h' + (m % 60 ? (m % 60) + 'm' : '');
    return Math.floor(h / 24) + 'd' + (h % 24 ? (h % 24) + 'h' : '');
  }

  function sinceText(row) {
    if (!row.found) return UNKNOWN;
    const t = row.phaseSince || row.lastTransitionTime;
    if (!t) return UNKNOWN;
    const at = Date.parse(t) / 1000;
    return isNaN(at) ? UNKNOWN : human(serverNow() - at);
  }

  function phaseText(row) {
    if (!row.found) return row.error && row.error.includes('not found') ? 'not found' : 'unreachable';
    if (!row.phase) return 'initializing';
    return row.phase + (row.suspended ? ' (paused)' : '');
  }

  // Where the progress bar stands and its marks, as fractions; null when unknown.
  function progress(row) {
    if (!row.found || !row.strategy) return { fraction: null, marks: [], label: UNKNOWN };
    const done = ['Succeeded', 'Promoting', 'Finalising'].includes(row.phase);
    if (row.strategy !== 'canary') {
      const total = row.totalIterations;
      const it = row.iterations === null ? null : Math.max(0, row.iterations);
      const marks = [];
      if (total > 0) for (let i = 1; i < total; i++) marks.push(i / total);
      const fraction = done ? 1 : (it === null || !total ? null : Math.min(1, it / total));
      return { fraction, marks, label: 'iter ' + known(it) + '/' + known(total) };
    }
    const max = row.maxWeight;
    const w = row.weight;
    let steps = row.stepWeights && row.stepWeights.length ? row.stepWeights.slice() : [];
    if (!steps.length && row.stepWeight > 0 && max > 0) {
      for (let s = row.stepWeight; s < max; s += row.stepWeight) steps.push(s);
    }
    const marks = max > 0 ? steps.filter((s) => s < max).map((s) => s / max) : [];
    let label = known(w) + '/' + known(max);
    if (w !== null && row.statusWeight !== null && w !== row.statusWeight) {
      label += row.phase === 'WaitingPromotion' ? ' held' : ' (status ' + row.statusWeight + ')';
    }
    const fraction = done ? 1 : (w === null || !max ? null : Math.min(1, w / max));
    return { fraction, marks, label };
  }

  function failedText(row) {
    if (!row.found || (row.failedChecks === null && row.threshold === null)) return UNKNOWN;
    return known(row.failedChecks) + '/' + known(row.threshold);
  }

  function gateText(row) {
    if (!row.found) return UNKNOWN;
    return row.gate || '–';
  }

  function messageText(row) {
    return row.error && row.found ? row.error + ' — ' + (row.message || '') : (row.message || row.error || '');
  }

  // ---- rows ----

  function newRow(key) {
    const tr = el('tr');
    tr.dataset.key = key;
    const cells = {};
    for (const name of ['cluster', 'canary', 'phase', 'progress', 'failed', 'gate', 'since', 'message', 'actions']) {
      cells[name] = el('td', name);
      tr.appendChild(cells[name]);
    }
    const bar = el('div', 'bar');
    const fill = el('div', 'fill');
    bar.appendChild(fill);
    const label = el('span', 'label');
    const wrap = el('div', 'meter');
    wrap.appendChild(bar);
    wrap.appendChild(label);
    cells.progress.appendChild(wrap);
    cells.bar = bar; cells.fill = fill; cells.label = label;
    return { tr, cells, data: null, shown: {} };
  }

  function setText(entry, name, text) {
    if (entry.shown[name] !== text) {
      entry.shown[name] = text;
      entry.cells[name].textContent = text;
    }
  }

  function renderActions(entry) {
    const row = entry.data;
    const cell = entry.cells.actions;
    const want = readOnly || !row.found ? '' : (row.suspended ? 'resume' : 'pause');
    if (entry.shown.actions === want) return;
    entry.shown.actions = want;
    cell.textContent = '';
    if (!want) return;
    const verbs = [['promote', 'promote'], ['promote-full', 'full'], ['abort', 'abort'], [want, want], ['retry', 'retry']];
    for (const [verb, text] of verbs) {
      const b = el('button', null, text);
      b.dataset.verb = verb;
      b.title = verb.replace('-full', ' --full') + ' this canary (a plan is shown first)';
      cell.appendChild(b);
    }
  }

  function renderRow(entry) {
    const row = entry.data;
    const tr = entry.tr;
    tr.dataset.phase = row.phase || '';
    tr.dataset.weight = row.weight === null ? '' : String(row.weight);
    tr.classList.toggle('error', !!row.error);
    setText(entry, 'cluster', row.cluster);
    setText(entry, 'canary', row.found || row.name ? row.namespace + '/' + row.name : UNKNOWN);
    const phase = phaseText(row);
    setText(entry, 'phase', phase);
    entry.cells.phase.className = 'phase ' + (row.found && row.phase ? row.phase : 'unknown');
    const p = progress(row);
    setText(entry, 'label', p.label);
    const barClass = 'bar ' + (p.fraction === null ? 'unknown' : (row.phase || ''));
    if (entry.cells.bar.className !== barClass) entry.cells.bar.className = barClass;
    entry.cells.fill.style.width = p.fraction === null ? '0' : (p.fraction * 100).toFixed(1) + '%';
    const marksKey = p.marks.join(',');
    if (entry.shown.marks !== marksKey) {
      entry.shown.marks = marksKey;
      for (const m of entry.cells.bar.querySelectorAll('.mark')) m.remove();
      for (const f of p.marks) {
        const mark = el('div', 'mark');
        mark.style.left = (f * 100).toFixed(1) + '%';
        entry.cells.bar.appendChild(mark);
      }
    }
    setText(entry, 'failed', failedText(row));
    entry.cells.failed.classList.toggle('over', row.failedChecks !== null && row.threshold !== null && row.failedChecks >= row.threshold && row.failedChecks > 0);
    setText(entry, 'gate', gateText(row));
    setText(entry, 'since', sinceText(row));
    setText(entry, 'message', messageText(row));
    entry.cells.message.title = messageText(row);
    renderActions(entry);
    tr.hidden = !matches(row);
  }

  function compare(a, b) {
    if (a.clusterIndex !== b.clusterIndex) return a.clusterIndex - b.clusterIndex;
    if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
    return a.name < b.name ? -1 : (a.name > b.name ? 1 : 0);
  }

  function insertSorted(key, entry) {
    let lo = 0, hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(rows.get(order[mid]).data, entry.data) < 0) lo = mid + 1; else hi = mid;
    }
    const before = lo < order.length ? rows.get(order[lo]).tr : null;
    tbody.insertBefore(entry.tr, before);
    order.splice(lo, 0, key);
  }

  function removeRow(key) {
    const entry = rows.get(key);
    if (!entry) return;
    entry.tr.remove();
    rows.delete(key);
    const i = order.indexOf(key);
    if (i >= 0) order.splice(i, 1);
  }

  // Many new rows at once (a snapshot, a cluster listed): sorted together and put in the table
  // in one pass; a few: each into its place.
  const BULK = 32;

  function placeNew(fresh) {
    if (fresh.length > BULK) {
      order = [...rows.keys()].sort((a, b) => compare(rows.get(a).data, rows.get(b).data));
      const all = document.createDocumentFragment();
      for (const key of order) all.appendChild(rows.get(key).tr);
      tbody.appendChild(all);
    } else {
      for (const key of fresh) insertSorted(key, rows.get(key));
    }
  }

  function applyDelta(message) {
    for (const key of message.remove || []) removeRow(key);
    const fresh = [];
    for (const row of message.upsert || []) {
      let entry = rows.get(row.key);
      if (!entry) {
        entry = newRow(row.key);
        rows.set(row.key, entry);
        fresh.push(row.key);
      }
      entry.data = row;
      // Rendered before it is placed: a detached row costs no layout.
      renderRow(entry);
      if (openDetail === row.key) refreshDetailSoon();
    }
    placeNew(fresh);
    if (message.summary) renderSummary(message.summary);
    $('empty').hidden = rows.size > 0;
    $('count').textContent = rows.size + ' row' + (rows.size === 1 ? '' : 's');
  }

  function renderSummary(summary) {
    const phases = $('phases');
    phases.textContent = '';
    phases.appendChild(el('span', 'chip', summary.canaries + ' canar' + (summary.canaries === 1 ? 'y' : 'ies')));
    for (const [phase, n] of Object.entries(summary.phases)) {
      const chip = el('span', 'chip ' + phase, phase + ' ' + n);
      chip.dataset.phase = phase;
      phases.appendChild(chip);
    }
    const clusters = $('clusters');
    clusters.textContent = '';
    for (const c of summary.clusters) {
      const text = c.name + ': ' + (c.state === 'ready' ? c.canaries + ' canar' + (c.canaries === 1 ? 'y' : 'ies') : c.state);
      const chip = el('span', 'chip ' + c.state, text);
      chip.dataset.cluster = c.name;
      chip.dataset.state = c.state;
      if (c.error) chip.title = c.error;
      clusters.appendChild(chip);
    }
  }

  function matches(row) {
    if (!filterText) return true;
    const hay = (row.cluster + ' ' + row.namespace + '/' + row.name + ' ' + (row.phase || '')).toLowerCase();
    return hay.includes(filterText);
  }

  // Messages are applied once per frame: a burst costs one layout. A hidden tab gets no
  // frames, so there a timer applies them (browsers slow it to about once a second).
  function enqueue(message) {
    pending.push(message);
    if (pending.length === 1) {
      if (document.hidden) setTimeout(flush, 100); else requestAnimationFrame(flush);
    }
  }

  function flush() {
    const batch = pending;
    pending = [];
    for (const m of batch) applyDelta(m);
  }

  // ---- the stream ----

  function setStream(state, text) {
    streamState = state;
    const s = $('stream');
    s.className = 'stream ' + state;
    s.textContent = text;
    document.body.classList.toggle('stale', state !== 'live');
  }

  function heard(data) {
    lastMessage = Date.now();
    if (typeof data.now === 'number') clockOffset = data.now - Date.now() / 1000;
    if (streamState !== 'live') setStream('live', 'live');
  }

  function connect() {
    if (!token) {
      setStream('down', 'no token: open the URL the dashboard printed');
      return;
    }
    const source = new EventSource('/api/events?token=' + encodeURIComponent(token));
    source.addEventListener('hello', (e) => {
      const hello = JSON.parse(e.data);
      heard(hello);
      readOnly = hello.readOnly;
      $('fleet-actions').hidden = readOnly;
      $('scope').textContent = hello.scope + (hello.seenFrom ? ' · ' + hello.seenFrom : '') + (readOnly ? ' · read-only' : '');
      // A (re)connection starts from a full snapshot: what was shown may be gone.
      pending = [];
      for (const key of [...rows.keys()]) removeRow(key);
    });
    source.addEventListener('delta', (e) => {
      const message = JSON.parse(e.data);
      heard(message);
      enqueue(message);
    });
    source.addEventListener('tick', (e) => heard(JSON.parse(e.data)));
    source.addEventListener('ended', (e) => {
      setStream('down', JSON.parse(e.data).error);
      source.close();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        setStream('down', 'refused or gone: open the URL the dashboard printed (a restarted dashboard has a new token)');
      } else {
        setStream('connecting', 'reconnecting…');
      }
    };
  }

  setInterval(() => {
    if (streamState === 'live' && Date.now() - lastMessage > STALE_AFTER_MS) {
      setStream('stale', 'stale: nothing heard for ' + Math.round((Date.now() - lastMessage) / 1000) + 's');
    }
    for (const entry of rows.values()) if (!entry.tr.hidden) setText(entry, 'since', sinceText(entry.data));
  }, 1000);

  // ---- detail ----

  let detailTimer = null;
  function refreshDetailSoon() {
    if (detailTimer) return;
    detailTimer = setTimeout(() => { detailTimer = null; if (openDetail) loadDetail(openDetail); }, 1500);
  }

  function dl(pairs) {
    const list = el('dl');
    for (const [k, v] of pairs) {
      list.appendChild(el('dt', null, k));
      list.appendChild(el('dd', null, v));
    }
    return list;
  }

  async function loadDetail(key) {
    const [cluster, namespace, name] = JSON.parse(key);
    const q = new URLSearchParams({ token, cluster, namespace, name });
    let d;
    try {
      const res = await fetch('/api/detail?' + q.toString());
      d = await res.json();
      if (!res.ok) throw new Error(d.error || res.statusText);
    } catch (err) {
      if (openDetail !== key) return;
      $('detail-body').textContent = 'detail: ' + err.message;
      return;
    }
    if (openDetail !== key) return;
    const body = $('detail-body');
    body.textContent = '';
    body.appendChild(el('h2', null, d.cluster + ' — ' + d.namespace + '/' + d.name));
    const flag = (f) => (f === null || f === undefined ? UNKNOWN : String(f));
    const row = d;
    let weight;
    if (d.routed) {
      weight = 'canary ' + d.routed.canary + ' / primary ' + d.routed.primary + ' (routed)' +
        (d.routed.canary !== d.statusWeight ? '; status.canaryWeight ' + known(d.statusWeight) : '');
    } else {
      weight = 'status.canaryWeight ' + known(d.statusWeight) + '; routed traffic unknown: ' + (d.routedUnknown || 'routing object not read');
    }
    body.appendChild(dl([
      ['Status', phaseText(row)],
      ['Message', d.message || ''],
      ['Error', d.error || '–'],
      ['Strategy', known(d.strategy)],
      ['Progress', progress(row).label],
      ['Weight', weight],
      ['Failed checks', failedText(row)],
      ['Suspended', flag(d.suspended)],
      ['Skip analysis', flag(d.skipAnalysis)],
      ['Gate', gateText(row)],
      ['In phase', sinceText(row)],
      ['Interval', known(d.interval)],
      ['Provider', known(d.provider)],
      ['Primary image', known(d.primaryImage)],
      ['Canary image', known(d.canaryImage)],
    ]));
    body.appendChild(el('h3', null, 'Analysis'));
    const metrics = (d.analysis && d.analysis.metrics) || [];
    const analysis = metrics.map((m) => 'metric  ' + m.name + ' every ' + known(m.interval) + ' ' +
      (m.thresholdRange ? JSON.stringify(m.thresholdRange) : 'no threshold'));
    body.appendChild(el('pre', null, analysis.join('\n') || (d.analysis === null ? UNKNOWN : 'no metrics')));
    body.appendChild(el('h3', null, 'Hooks'));
    body.appendChild(el('pre', null, (d.hooks || []).map((h) => h.name + ' (' + h.type + ') ' + known(h.url)).join('\n') || 'none'));
    body.appendChild(el('h3', null, 'Events (newest last)'));
    body.appendChild(el('pre', null, (d.eventLines || []).join('\n') || 'none kept'));
  }

  function showDetail(key) {
    for (const tr of tbody.querySelectorAll('tr.selected')) tr.classList.remove('selected');
    const entry = rows.get(key);
    if (entry) entry.tr.classList.add('selected');
    openDetail = key;
    $('detail').hidden = false;
    $('detail-body').textContent = 'loading…';
    loadDetail(key);
  }

  $('detail-close').addEventListener('click', () => {
    openDetail = null;
    $('detail').hidden = true;
    for (const tr of tbody.querySelectorAll('tr.selected')) tr.classList.remove('selected');
  });

  // ---- actions: plan -> confirmation -> result rows ----

  async function post(path, body) {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Dashboard-Token': token },
      body: JSON.stringify(body),
    });
    let data;
    try { data = await res.json(); } catch (e) { data = { error: res.status + ' ' + res.statusText }; }
    if (!res.ok) throw new Error(data.error || res.statusText);
    return data;
  }

  function table(headers, lines) {
    const t = el('table');
    const head = el('tr');
    for (const h of headers) head.appendChild(el('th', null, h));
    t.appendChild(head);
    for (const cells of lines) {
      const tr = el('tr');
      for (const c of cells) {
        const td = el('td', c.className || null, c.text !== undefined ? c.text : c);
        tr.appendChild(td);
      }
      t.appendChild(tr);
    }
    return t;
  }

  function dialog(title) {
    $('dialog-title').textContent = title;
    $('dialog-body').textContent = '';
    $('dialog-buttons').textContent = '';
    $('dialog').hidden = false;
    return { body: $('dialog-body'), buttons: $('dialog-buttons') };
  }

  function closeDialog() { $('dialog').hidden = true; }

  function button(text, id, primary, onClick) {
    const b = el('button', primary ? 'primary' : null, text);
    if (id) b.id = id;
    b.addEventListener('click', onClick);
    $('dialog-buttons').appendChild(b);
    return b;
  }

  async function act(verb, targets, all) {
    const label = verb.replace('-full', ' --full');
    let d = dialog('Planning ' + label + '…');
    let plan;
    try {
      plan = await post('/api/plan', { verb, targets, all });
    } catch (err) {
      d.body.appendChild(el('p', 'impossible', err.message));
      button('Close', 'dialog-close', false, closeDialog);
      return;
    }
    d = dialog('Plan: ' + plan.question);
    d.body.dataset.plan = String(plan.plan);
    if (plan.unmatched) d.body.appendChild(el('p', 'warning', plan.unmatched));
    const lines = plan.rows.map((r) => [r.cluster, r.canary, r.phase || UNKNOWN,
      { text: r.action, className: r.acts ? 'acts' : (r.action.startsWith('impossible') ? 'impossible' : 'nothing') },
      { text: r.warning || '', className: 'warning' }]);
    const t = table(['cluster', 'canary', 'phase', 'action', 'warning'], lines);
    t.id = 'plan-rows';
    d.body.appendChild(t);
    if (plan.expected === null) {
      d.body.appendChild(el('p', 'muted', 'Nothing would change.'));
      button('Close', 'dialog-close', true, closeDialog);
      return;
    }
    let input = null;
    if (plan.expected !== 'y') {
      const p = el('p', null, 'This changes ' + plan.affected.length + ' cluster' + (plan.affected.length === 1 ? '' : 's') +
        ' (' + plan.affected.join(', ') + '). Type ' + plan.expected + ' to confirm: ');
      input = el('input');
      input.id = 'confirm-input';
      input.autocomplete = 'off';
      p.appendChild(input);
      d.body.appendChild(p);
    }
    button('Cancel', 'dialog-cancel', false, closeDialog);
    const go = button(plan.expected === 'y' ? 'Confirm: ' + label : label, 'confirm-button', true, async () => {
      const answer = input ? input.value : 'y';
      go.disabled = true;
      go.textContent = 'running…';
      let result;
      try {
        result = await post('/api/execute', { plan: plan.plan, answer });
      } catch (err) {
        const r = dialog(label + ': not carried out');
        r.body.appendChild(el('p', 'impossible', err.message));
        button('Close', 'dialog-close', true, closeDialog);
        return;
      }
      const r = dialog('Result: ' + label);
      const lines = result.rows.map((row) => [row.cluster, row.canary, row.action,
        { text: row.error ? 'failed: ' + row.error : row.result, className: row.error ? 'impossible' : 'done' }]);
      const rt = table(['cluster', 'canary', 'action', 'result'], lines);
      rt.id = 'results';
      r.body.appendChild(rt);
      button('Close', 'dialog-close', true, closeDialog);
    });
    if (input) input.focus();
  }

  tbody.addEventListener('click', (e) => {
    const tr = e.target.closest('tr');
    if (!tr) return;
    const entry = rows.get(tr.dataset.key);
    if (!entry) return;
    const b = e.target.closest('button[data-verb]');
    if (b) {
      const r = entry.data;
      act(b.dataset.verb, [{ cluster: r.cluster, namespace: r.namespace, name: r.name }], false);
      return;
    }
    if (entry.data.found) showDetail(tr.dataset.key);
  });

  $('fleet-actions').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-all]');
    if (b) act(b.dataset.all, [], true);
  });

  $('filter').addEventListener('input', (e) => {
    filterText = e.target.value.trim().toLowerCase();
    for (const entry of rows.values()) entry.tr.hidden = !matches(entry.data);
  });

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeDialog();
  });

  // For the browser test: feed messages without a server, count rows.
  window.kkrDashboard = { applyDelta, rowCount: () => rows.size };

  connect();
})();
