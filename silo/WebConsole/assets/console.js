// The Loire web console: a page of the silo that only talks to the management API (/api/v1). No build step, no
// dependencies. Every value from the broker reaches the page through textContent or attributes, never as HTML.
'use strict';

const POLL_MS = 2000;
const HISTORY_MS = 5 * 60 * 1000;
const PAGE_SIZE = 25;

// ---------- API ----------

class ApiError extends Error {
  constructor(status, reason, detail) {
    super(detail);
    this.status = status;
    this.reason = reason;
  }

  describe() {
    return this.status ? `${this.status} ${this.reason}: ${this.message}` : this.message;
  }
}

// With shared access rules on, the API wants a token; the console keeps one for this tab only (never on disk).
const TOKEN_KEY = 'loire.sas';

async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) init.headers.Authorization = token;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch('/api/v1/' + path, init);
  } catch (e) {
    throw new ApiError(0, 'Unreachable', `The silo did not answer (${e.message}).`);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text };
    }
  }
  if (response.status === 401) signIn.ask();
  if (!response.ok) {
    throw new ApiError(response.status, (data && (data.reason || data.title)) || response.statusText,
      (data && (data.detail || data.title)) || 'The request failed.');
  }
  return data;
}

const enc = encodeURIComponent;

// An entity as the console addresses it. A subscription's path is "topic/subscriptions/name".
const SUBSCRIPTIONS = '/subscriptions/';

function entityRef(kind, path) {
  if (kind === 'subscription') {
    const at = path.lastIndexOf(SUBSCRIPTIONS);
    return { kind, path, topic: path.slice(0, at), name: path.slice(at + SUBSCRIPTIONS.length) };
  }
  return { kind, path };
}

function apiBase(ref) {
  switch (ref.kind) {
    case 'queue': return `queues/${enc(ref.path)}`;
    case 'topic': return `topics/${enc(ref.path)}`;
    default: return `topics/${enc(ref.topic)}/subscriptions/${enc(ref.name)}`;
  }
}

function entityHash(ref) {
  return ref.kind === 'subscription' ? `#/subscription/${enc(ref.topic)}/${enc(ref.name)}` : `#/${ref.kind}/${enc(ref.path)}`;
}

function deadLetterHash(ref) {
  return ref.kind === 'subscription' ? `#/deadletters/subscription/${enc(ref.topic)}/${enc(ref.name)}` : `#/deadletters/queue/${enc(ref.path)}`;
}

// ---------- DOM helpers ----------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function fmtNumber(n) {
  return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US');
}

function fmtRate(r) {
  return r === null || r === undefined ? '–' : `${r < 10 ? r.toFixed(1) : Math.round(r)}/s`;
}

function fmtBytes(n) {
  if (n === null || n === undefined) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

const NEVER = '10675199.02:48:05.4775807';

function fmtDuration(text) {
  return text === NEVER ? 'never' : text;
}

const status = {
  show(text, kind) {
    const el = document.getElementById('status');
    el.textContent = text;
    el.className = 'status' + (kind ? ' ' + kind : '');
    el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  },
  error(e) { this.show(e instanceof ApiError ? e.describe() : String(e.message || e), 'error'); },
  ok(text) { this.show(text, 'ok'); },
  clear() { this.show('', ''); },
};

// A button that runs an async action once at a time and reports its failure in the status line (or a box).
function actionButton(label, action, attrs) {
  const button = h('button', Object.assign({ type: 'button' }, attrs || {}), label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await action();
    } catch (e) {
      status.error(e);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

// A destructive action asks once more inline (no browser dialog, so the keyboard and tests stay in the page).
function confirmButton(label, question, action, id) {
  const wrapper = h('span', {});
  const ask = h('button', { type: 'button', class: 'danger', id }, label);
  ask.addEventListener('click', () => {
    const yes = actionButton('Yes, ' + label.toLowerCase(), async () => {
      await action();
      reset();
    }, { class: 'danger', id: id && id + '-confirm' });
    const no = h('button', { type: 'button', class: 'secondary', onclick: reset }, 'Cancel');
    wrapper.replaceChildren(h('span', { class: 'confirm', role: 'group', 'aria-label': question }, question, yes, no));
    yes.focus();
  });
  function reset() {
    wrapper.replaceChildren(ask);
  }
  reset();
  return wrapper;
}

// ---------- History: depth and rates per entity, for the sparklines ----------

const history = new Map();
const lastTraffic = new Map();

function recordDepth(path, depth, at) {
  const samples = history.get(path) || [];
  samples.push({ at, active: depth.activeMessages, dlq: depth.deadLetterMessages, sent: null, completed: null });
  history.set(path, samples.filter(s => at - s.at <= HISTORY_MS));
}

// Rates are differences of the cluster-wide cumulative counts; a drop means a silo left (its counts went with it).
function recordTraffic(entities, at) {
  for (const t of entities) {
    const previous = lastTraffic.get(t.path);
    lastTraffic.set(t.path, { at, sent: t.sent, completed: t.completed });
    const samples = history.get(t.path);
    if (!previous || !samples || samples.length === 0) continue;
    const seconds = (at - previous.at) / 1000;
    const last = samples[samples.length - 1];
    if (seconds > 0 && t.sent >= previous.sent && t.completed >= previous.completed) {
      last.sent = (t.sent - previous.sent) / seconds;
      last.completed = (t.completed - previous.completed) / seconds;
    }
  }
}

function latestRates(path) {
  const samples = history.get(path) || [];
  for (let i = samples.length - 1; i >= 0; i--) {
    if (samples[i].sent !== null) return samples[i];
  }
  return { sent: null, completed: null };
}

async function sample(prefix, depthItems) {
  const at = Date.now();
  for (const item of depthItems) {
    if (item.depth) recordDepth(item.path, item.depth, at);
  }
  const traffic = await api('GET', `traffic?top=1000${prefix ? '&prefix=' + enc(prefix) : ''}`);
  // Entities with no traffic yet are absent: they count as zero.
  const byPath = new Map(traffic.entities.map(t => [t.path, t]));
  recordTraffic(depthItems.map(i => byPath.get(i.path) || { path: i.path, sent: 0, completed: 0 }), at);
}

const SERIES = [
  ['active', 'series-depth', 'depth'],
  ['dlq', 'series-dlq', 'dead letters'],
  ['sent', 'series-sent', 'sent/s'],
  ['completed', 'series-completed', 'completed/s'],
];

function sparkline(path, width, height, series) {
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  const samples = history.get(path) || [];
  const now = Date.now();
  // The window grows with the history (at least a minute), so a page opened a moment ago still draws a readable line.
  const span = Math.min(HISTORY_MS, Math.max(60 * 1000, samples.length ? now - samples[0].at : 0));
  const described = [];
  for (const [key, cls, label] of SERIES.filter(s => series.includes(s[0]))) {
    const points = samples.filter(s => s[key] !== null);
    const max = Math.max(1, ...points.map(s => s[key]));
    const line = document.createElementNS(svgNs, 'polyline');
    line.setAttribute('class', cls);
    line.setAttribute('points', points.map(s =>
      `${(width * (1 - (now - s.at) / span)).toFixed(1)},${(height - 1 - (height - 2) * s[key] / max).toFixed(1)}`).join(' '));
    svg.append(line);
    if (points.length) described.push(`${label} ${key === 'sent' || key === 'completed' ? fmtRate(points[points.length - 1][key]) : points[points.length - 1][key]}`);
  }
  svg.setAttribute('aria-label', `Recent history of ${path}: ${described.join(', ') || 'no samples yet'}`);
  const title = document.createElementNS(svgNs, 'title');
  title.textContent = svg.getAttribute('aria-label');
  svg.prepend(title);
  return svg;
}

function legend(series) {
  return h('div', { class: 'legend', 'aria-hidden': 'true' },
    SERIES.filter(s => series.includes(s[0])).map(([, cls, label]) => h('span', {}, h('span', { class: 'swatch ' + cls }), label)));
}

// ---------- Pages ----------

// Each page renders into main and may return a poll function the router calls every POLL_MS while it is shown.
const pages = {};

pages.entities = function (params) {
  const state = { prefix: params.get('prefix') || '', kind: params.get('kind') || '', cursors: [null], page: 0, items: [], next: null };
  const main = document.getElementById('main');
  const prefixInput = h('input', { id: 'filter-prefix', name: 'prefix', value: state.prefix, placeholder: 'e.g. orders/', autocomplete: 'off' });
  const kindSelect = h('select', { id: 'filter-kind', name: 'kind' },
    h('option', { value: '' }, 'all kinds'), h('option', { value: 'queue' }, 'queues'),
    h('option', { value: 'topic' }, 'topics'), h('option', { value: 'subscription' }, 'subscriptions'));
  kindSelect.value = state.kind;
  const filter = h('form', { class: 'inline', role: 'search', 'aria-label': 'Filter entities' },
    h('label', { for: 'filter-prefix' }, 'Path prefix', prefixInput),
    h('label', { for: 'filter-kind' }, 'Kind', kindSelect),
    h('button', { type: 'submit' }, 'Filter'));
  filter.addEventListener('submit', e => {
    e.preventDefault();
    const query = new URLSearchParams();
    if (prefixInput.value) query.set('prefix', prefixInput.value);
    if (kindSelect.value) query.set('kind', kindSelect.value);
    location.hash = '#/entities' + (query.toString() ? '?' + query : '');
  });

  const body = h('tbody', { id: 'entity-rows' });
  const table = h('table', { id: 'entity-table' },
    h('caption', { class: 'muted' }, 'Depth from the catalog, rates summed over every silo; refreshed every 2 s'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Path'), h('th', { scope: 'col' }, 'Kind'),
      h('th', { scope: 'col', class: 'num' }, 'Active'), h('th', { scope: 'col', class: 'num' }, 'Dead letters'),
      h('th', { scope: 'col', class: 'num' }, 'Scheduled'), h('th', { scope: 'col', class: 'num' }, 'Size'),
      h('th', { scope: 'col', class: 'num' }, 'Sent'), h('th', { scope: 'col', class: 'num' }, 'Completed'),
      h('th', { scope: 'col' }, 'Recent minutes'))),
    body);
  const prev = h('button', { type: 'button', class: 'secondary', id: 'page-prev', disabled: true }, 'Previous page');
  const next = h('button', { type: 'button', class: 'secondary', id: 'page-next', disabled: true }, 'Next page');
  const pageLabel = h('span', { class: 'muted', id: 'page-label' }, 'Page 1');
  prev.addEventListener('click', () => { state.page--; refresh().catch(e => status.error(e)); });
  next.addEventListener('click', () => { state.cursors[state.page + 1] = state.next; state.page++; refresh().catch(e => status.error(e)); });

  main.replaceChildren(
    h('h1', { tabindex: '-1' }, 'Entities'),
    h('div', { class: 'panel' }, filter),
    table,
    legend(['active', 'dlq', 'sent', 'completed']),
    h('div', { class: 'pager' }, prev, pageLabel, next),
    createEntityForm(() => refresh()));

  async function refresh() {
    const query = new URLSearchParams({ depth: 'true', top: String(PAGE_SIZE) });
    if (state.prefix) query.set('prefix', state.prefix);
    if (state.kind) query.set('kind', state.kind);
    if (state.cursors[state.page]) query.set('after', state.cursors[state.page]);
    const page = await api('GET', 'entities?' + query);
    state.items = page.entities;
    state.next = page.continuationToken;
    await sample(state.prefix, state.items);
    render();
  }

  function render() {
    body.replaceChildren(...(state.items.length ? state.items.map(row) :
      [h('tr', { class: 'empty' }, h('td', { colspan: 9 }, state.prefix ? `No entity path starts with "${state.prefix}".` : 'No entities yet: create a queue or topic below.'))]));
    prev.disabled = state.page === 0;
    next.disabled = !state.next;
    pageLabel.textContent = `Page ${state.page + 1}`;
  }

  function row(item) {
    const ref = entityRef(item.kind, item.path);
    const depth = item.depth || {};
    const rates = latestRates(item.path);
    return h('tr', { 'data-path': item.path },
      h('td', {}, h('a', { href: entityHash(ref) }, item.path)),
      h('td', {}, item.kind),
      h('td', { class: 'num', 'data-col': 'active' }, item.kind === 'topic' ? '–' : fmtNumber(depth.activeMessages)),
      h('td', { class: 'num', 'data-col': 'deadLetter' }, item.kind === 'topic' ? '–' : fmtNumber(depth.deadLetterMessages)),
      h('td', { class: 'num' }, item.kind === 'topic' ? '–' : fmtNumber(depth.scheduledMessages)),
      h('td', { class: 'num' }, item.kind === 'topic' ? '–' : fmtBytes(depth.sizeInBytes)),
      h('td', { class: 'num', 'data-col': 'sent' }, fmtRate(rates.sent)),
      h('td', { class: 'num', 'data-col': 'completed' }, fmtRate(rates.completed)),
      h('td', {}, sparkline(item.path, 140, 28, ['active', 'dlq', 'sent', 'completed'])));
  }

  return refresh;
};

function createEntityForm(onCreated) {
  const kind = h('select', { id: 'create-kind', name: 'kind' }, h('option', { value: 'queue' }, 'queue'), h('option', { value: 'topic' }, 'topic'));
  const name = h('input', { id: 'create-name', name: 'name', required: true, autocomplete: 'off', placeholder: 'orders' });
  const maxDelivery = h('input', { id: 'create-max-delivery', name: 'maxDeliveryCount', type: 'number', min: '1', placeholder: '10' });
  const lock = h('input', { id: 'create-lock', name: 'lockDuration', placeholder: '00:00:30' });
  const error = h('div', { class: 'error-box', id: 'create-error', role: 'alert' });
  const form = h('form', { class: 'inline', id: 'create-form', 'aria-labelledby': 'create-title' },
    h('label', { for: 'create-kind' }, 'Kind', kind),
    h('label', { for: 'create-name' }, 'Path', name),
    h('label', { for: 'create-max-delivery' }, 'Max delivery count', maxDelivery),
    h('label', { for: 'create-lock' }, 'Lock duration (hh:mm:ss)', lock),
    h('button', { type: 'submit', id: 'create-submit' }, 'Create'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    error.textContent = '';
    const settings = {};
    if (maxDelivery.value) settings.maxDeliveryCount = Number(maxDelivery.value);
    if (lock.value) settings.lockDuration = lock.value;
    const path = name.value.trim();
    try {
      await api('PUT', `${kind.value === 'topic' ? 'topics' : 'queues'}/${enc(path)}`, { settings });
      status.ok(`Created ${kind.value} ${path}.`);
      form.reset();
      await onCreated();
    } catch (ex) {
      error.textContent = ex instanceof ApiError ? ex.describe() : String(ex);
    }
  });
  return h('section', { class: 'panel' }, h('h2', { id: 'create-title' }, 'Create a queue or topic'), form, error);
}

function settingsList(settings, kind) {
  const rows = [
    ['Lock duration', settings.lockDuration, kind !== 'topic'],
    ['Max delivery count', settings.maxDeliveryCount, kind !== 'topic'],
    ['Default time to live', fmtDuration(settings.defaultMessageTimeToLive), true],
    ['Dead-letter on expiry', settings.deadLetteringOnMessageExpiration, kind !== 'topic'],
    ['Duplicate detection', settings.requiresDuplicateDetection ? `yes, ${settings.duplicateDetectionHistoryTimeWindow}` : 'no', kind !== 'subscription'],
    ['Sessions', settings.requiresSession, kind !== 'topic'],
    ['Max size', `${settings.maxSizeInMegabytes} MiB`, kind !== 'subscription'],
    ['Max message count', settings.maxMessageCount ?? 'no limit', true],
    ['Partitions', settings.partitionCount, kind !== 'subscription'],
    ['Forward to', settings.forwardTo || '–', kind !== 'topic'],
    ['Forward dead letters to', settings.forwardDeadLetteredMessagesTo || '–', kind !== 'topic'],
    ['Auto-delete on idle', fmtDuration(settings.autoDeleteOnIdle), true],
  ];
  return h('dl', { class: 'settings', id: 'entity-settings' }, rows.filter(r => r[2]).map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
}

function countsView(runtime) {
  const items = [
    ['Active', runtime.activeMessageCount, 'active'], ['Locked', runtime.lockedMessageCount, 'locked'],
    ['Dead letters', runtime.deadLetterMessageCount, 'deadLetter'], ['Scheduled', runtime.scheduledMessageCount, 'scheduled'],
    ['Deferred', runtime.deferredMessageCount, 'deferred'], ['Size', fmtBytes(runtime.sizeInBytes), 'size'],
  ];
  return h('div', { class: 'counts', id: 'entity-counts' }, items.map(([label, value, key]) =>
    h('div', { class: 'count', 'data-count': key }, h('span', { class: 'value' }, typeof value === 'number' ? fmtNumber(value) : value), h('span', { class: 'label' }, label))));
}

// A table of peeked messages; selectable rows (check boxes) for the dead-letter browser.
function messageTable(messages, selectable) {
  const head = h('tr', {},
    selectable ? h('th', { scope: 'col' }, h('span', { class: 'muted' }, 'Select')) : null,
    h('th', { scope: 'col', class: 'num' }, 'Seq'), h('th', { scope: 'col' }, 'Message id'), h('th', { scope: 'col' }, 'Subject'),
    h('th', { scope: 'col' }, 'Enqueued'), h('th', { scope: 'col', class: 'num' }, 'Deliveries'),
    selectable ? h('th', { scope: 'col' }, 'Dead-letter reason') : h('th', { scope: 'col' }, 'State'),
    h('th', { scope: 'col' }, 'Body'));
  const rows = messages.map(m => h('tr', { 'data-seq': m.sequenceNumber },
    selectable ? h('td', {}, h('input', { type: 'checkbox', value: m.sequenceNumber, 'aria-label': `Select message ${m.sequenceNumber}` })) : null,
    h('td', { class: 'num' }, m.sequenceNumber),
    h('td', {}, m.messageId || '–'),
    h('td', {}, m.subject || '–'),
    h('td', {}, fmtTime(m.enqueuedTime)),
    h('td', { class: 'num' }, m.deliveryCount),
    selectable ? h('td', {}, [m.deadLetterReason, m.deadLetterErrorDescription].filter(Boolean).join(': ') || '–') : h('td', {}, m.state),
    h('td', {}, bodyView(m.body))));
  return h('table', { class: 'messages' }, h('thead', {}, head),
    h('tbody', {}, rows.length ? rows : h('tr', { class: 'empty' }, h('td', { colspan: selectable ? 8 : 7 }, 'No messages.'))));
}

function bodyView(body) {
  const note = `${body.encoding}, ${fmtBytes(body.size)}${body.truncated ? ', preview' : ''}`;
  return h('div', {}, h('span', { class: 'tag' }, note), h('pre', { class: 'body' }, body.data));
}

async function peekAll(ref, subQueue, maxCount) {
  return (await api('GET', `${apiBase(ref)}/messages?subQueue=${subQueue}&maxCount=${maxCount}&previewBytes=512`)).messages;
}

pages.entity = function (ref) {
  const main = document.getElementById('main');
  const title = h('h1', { tabindex: '-1' }, `${ref.kind[0].toUpperCase()}${ref.kind.slice(1)} ${ref.path}`);
  const counts = h('div', {});
  const chart = h('div', {});
  const settings = h('div', {});
  const peek = h('div', { id: 'peek' });
  const subscriptions = h('div', {});
  const receivable = ref.kind !== 'topic';
  const toolbar = h('div', { class: 'toolbar' },
    receivable ? h('a', { href: deadLetterHash(ref), id: 'link-deadletters' }, 'Dead letters') : null,
    ref.kind === 'subscription' ? h('a', { href: `#/rules/${enc(ref.topic)}/${enc(ref.name)}`, id: 'link-rules' }, 'Rules') : null,
    ref.kind === 'subscription' ? h('a', { href: entityHash(entityRef('topic', ref.topic)) }, `Topic ${ref.topic}`) : null,
    receivable ? confirmButton('Purge messages', `Delete every message of ${ref.path} (dead letters stay)?`, async () => {
      const result = await api('POST', `${apiBase(ref)}/purge?subQueue=main`);
      status.ok(`Purged ${result.count} messages of ${ref.path}.`);
      await refresh();
    }, 'purge-main') : null,
    confirmButton('Delete entity', `Delete ${ref.path} and all its messages?`, async () => {
      await api('DELETE', apiBase(ref));
      status.ok(`Deleted ${ref.kind} ${ref.path}.`);
      location.hash = '#/entities';
    }, 'delete-entity'));
  main.replaceChildren(...[title, toolbar,
    h('section', { class: 'panel' }, h('h2', {}, 'Now'), counts, chart, legend(['active', 'dlq', 'sent', 'completed'])),
    receivable ? h('section', {}, h('h2', {}, 'Messages (peek, nothing is locked)'), peek) : null,
    ref.kind === 'topic' ? h('section', {}, h('h2', {}, 'Subscriptions'), subscriptions, createSubscriptionForm(ref, () => refresh())) : null,
    h('section', { class: 'panel' }, h('h2', {}, 'Settings'), settings)].filter(Boolean));

  let loadedSettings = false;
  async function refresh() {
    if (!loadedSettings) {
      const entity = await api('GET', apiBase(ref));
      settings.replaceChildren(settingsList(entity.settings, ref.kind));
      loadedSettings = true;
    }
    const [runtime, list] = await Promise.all([
      api('GET', `${apiBase(ref)}/runtime`),
      api('GET', `entities?depth=true&top=1&prefix=${enc(ref.path)}`),
    ]);
    counts.replaceChildren(countsView(runtime));
    await sample(ref.path, list.entities.filter(e => e.path === ref.path));
    chart.replaceChildren(sparkline(ref.path, 600, 80, ['active', 'dlq', 'sent', 'completed']));
    if (receivable) peek.replaceChildren(messageTable(await peekAll(ref, 'main', 50), false));
    if (ref.kind === 'topic') subscriptions.replaceChildren(subscriptionTable(await api('GET', `${apiBase(ref)}/subscriptions`)));
  }

  return refresh;
};

function subscriptionTable(subscriptions) {
  return h('table', { id: 'subscription-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Subscription'), h('th', { scope: 'col' }, 'Rules'), h('th', { scope: 'col' }, ''))),
    h('tbody', {}, subscriptions.length ? subscriptions.map(s => {
      const ref = entityRef('subscription', s.path);
      return h('tr', {},
        h('td', {}, h('a', { href: entityHash(ref) }, ref.name)),
        h('td', {}, (s.rules || []).map(r => r.name).join(', ') || '–'),
        h('td', {}, h('a', { href: `#/rules/${enc(ref.topic)}/${enc(ref.name)}` }, 'Edit rules')));
    }) : h('tr', { class: 'empty' }, h('td', { colspan: 3 }, 'No subscriptions.'))));
}

function createSubscriptionForm(topic, onCreated) {
  const name = h('input', { id: 'subscription-name', required: true, autocomplete: 'off' });
  const sql = h('input', { id: 'subscription-sql', autocomplete: 'off', placeholder: "optional SQL filter, e.g. priority = 'high'" });
  const error = h('div', { class: 'error-box', id: 'subscription-error', role: 'alert' });
  const form = h('form', { class: 'inline', 'aria-label': 'Create a subscription' },
    h('label', { for: 'subscription-name' }, 'Name', name),
    h('label', { for: 'subscription-sql' }, 'Filter', sql),
    h('button', { type: 'submit' }, 'Create subscription'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    error.textContent = '';
    const body = sql.value.trim() ? { rule: { name: '$Default', filter: { type: 'sql', sqlExpression: sql.value } } } : {};
    try {
      await api('PUT', `topics/${enc(topic.path)}/subscriptions/${enc(name.value.trim())}`, body);
      status.ok(`Created subscription ${name.value.trim()}.`);
      form.reset();
      await onCreated();
    } catch (ex) {
      error.textContent = ex instanceof ApiError ? ex.describe() : String(ex);
    }
  });
  return h('div', { class: 'panel' }, form, error);
}

pages.deadletters = function (ref) {
  const main = document.getElementById('main');
  const list = h('div', { id: 'deadletter-list' });
  const count = h('span', { class: 'muted', id: 'deadletter-count' });
  let messages = [];
  const selected = () => [...list.querySelectorAll('input[type=checkbox]:checked')].map(c => Number(c.value));
  const toolbar = h('div', { class: 'toolbar' },
    actionButton('Resubmit selected', async () => {
      const numbers = selected();
      if (!numbers.length) {
        status.show('Select the dead letters to resubmit first.', 'error');
        return;
      }
      const result = await api('POST', `${apiBase(ref)}/deadletters/resubmit`, { sequenceNumbers: numbers });
      status.ok(`Resubmitted ${result.count} dead letters to ${ref.path}.`);
      await refresh();
    }, { id: 'resubmit-selected', class: 'secondary' }),
    actionButton('Resubmit all', async () => {
      const result = await api('POST', `${apiBase(ref)}/deadletters/resubmit`, {});
      status.ok(`Resubmitted ${result.count} dead letters to ${ref.path}.`);
      await refresh();
    }, { id: 'resubmit-all' }),
    confirmButton('Purge dead letters', `Delete every dead letter of ${ref.path}?`, async () => {
      const result = await api('POST', `${apiBase(ref)}/purge?subQueue=deadLetter`);
      status.ok(`Purged ${result.count} dead letters of ${ref.path}.`);
      await refresh();
    }, 'purge-deadletters'),
    count);
  main.replaceChildren(h('h1', { tabindex: '-1' }, `Dead letters of ${ref.path}`),
    h('p', {}, h('a', { href: entityHash(ref) }, `Back to ${ref.path}`)), toolbar, list);

  async function refresh() {
    const keep = new Set(selected());
    messages = await peekAll(ref, 'deadLetter', 100);
    list.replaceChildren(messageTable(messages, true));
    for (const box of list.querySelectorAll('input[type=checkbox]')) box.checked = keep.has(Number(box.value));
    count.textContent = `${messages.length} shown`;
  }

  // Polling would re-render under the operator's selection; refresh after each action instead.
  refresh().catch(e => status.error(e));
  return null;
};

pages.rules = function (ref) {
  const main = document.getElementById('main');
  const list = h('div', { id: 'rule-list' });
  const nameInput = h('input', { id: 'rule-name', required: true, autocomplete: 'off', value: '$Default' });
  const typeSelect = h('select', { id: 'rule-type' }, h('option', { value: 'sql' }, 'SQL filter'),
    h('option', { value: 'true' }, 'match all'), h('option', { value: 'false' }, 'match none'));
  const sqlInput = h('textarea', { id: 'rule-sql', spellcheck: 'false', 'aria-describedby': 'rule-help' });
  const error = h('div', { class: 'error-box', id: 'rule-error', role: 'alert' });
  const form = h('form', { id: 'rule-form', 'aria-labelledby': 'rule-editor-title' },
    h('div', { class: 'inline' },
      h('label', { for: 'rule-name' }, 'Rule name', nameInput),
      h('label', { for: 'rule-type' }, 'Filter', typeSelect)),
    h('label', { for: 'rule-sql' }, 'SQL expression', sqlInput),
    h('p', { class: 'muted', id: 'rule-help' }, 'The broker parses the filter when you save; a rule with this name is replaced, a new name adds a rule.'),
    h('button', { type: 'submit', id: 'rule-save' }, 'Save rule'));
  typeSelect.addEventListener('change', () => { sqlInput.disabled = typeSelect.value !== 'sql'; });
  let rules = [];
  form.addEventListener('submit', async e => {
    e.preventDefault();
    error.textContent = '';
    const name = nameInput.value.trim();
    const filter = typeSelect.value === 'sql' ? { type: 'sql', sqlExpression: sqlInput.value } : { type: typeSelect.value };
    const existing = rules.find(r => r.name.toLowerCase() === name.toLowerCase());
    try {
      if (existing) await api('PUT', `${apiBase(ref)}/rules/${enc(existing.name)}`, { filter });
      else await api('POST', `${apiBase(ref)}/rules`, { name, filter });
      status.ok(`Saved rule ${name}.`);
      await refresh();
    } catch (ex) {
      error.textContent = ex instanceof ApiError ? ex.describe() : String(ex);
      status.show('The rule was not saved.', 'error');
    }
  });
  main.replaceChildren(h('h1', { tabindex: '-1' }, `Rules of ${ref.path}`),
    h('p', {}, h('a', { href: entityHash(ref) }, `Back to ${ref.path}`)), list,
    h('section', { class: 'panel' }, h('h2', { id: 'rule-editor-title' }, 'Edit a rule'), form, error));

  function describe(filter) {
    switch (filter.type) {
      case 'sql': return filter.sqlExpression;
      case 'correlation': return 'correlation ' + JSON.stringify(filter.correlation);
      case 'true': return 'match all';
      default: return 'match none';
    }
  }

  function edit(rule) {
    nameInput.value = rule.name;
    typeSelect.value = rule.filter.type === 'correlation' ? 'sql' : rule.filter.type;
    sqlInput.value = rule.filter.type === 'sql' ? rule.filter.sqlExpression : '';
    sqlInput.disabled = typeSelect.value !== 'sql';
    error.textContent = '';
    sqlInput.focus();
  }

  async function refresh() {
    rules = await api('GET', `${apiBase(ref)}/rules`);
    list.replaceChildren(h('table', { id: 'rule-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Rule'), h('th', { scope: 'col' }, 'Filter'), h('th', { scope: 'col' }, ''))),
      h('tbody', {}, rules.length ? rules.map(rule => h('tr', { 'data-rule': rule.name },
        h('td', {}, rule.name),
        h('td', {}, h('code', {}, describe(rule.filter))),
        h('td', { class: 'toolbar' },
          h('button', { type: 'button', class: 'secondary', onclick: () => edit(rule) }, 'Edit'),
          confirmButton('Delete', `Delete rule ${rule.name}?`, async () => {
            await api('DELETE', `${apiBase(ref)}/rules/${enc(rule.name)}`);
            status.ok(`Deleted rule ${rule.name}.`);
            await refresh();
          })))) : h('tr', { class: 'empty' }, h('td', { colspan: 3 }, 'No rules: the subscription receives nothing.')))));
  }

  refresh().then(() => { if (rules.length) edit(rules[0]); }).catch(e => status.error(e));
  return null;
};

pages.cluster = function () {
  const main = document.getElementById('main');
  const body = h('tbody', { id: 'silo-rows' });
  main.replaceChildren(h('h1', { tabindex: '-1' }, 'Cluster'),
    h('p', {}, 'Silos as Orleans membership lists them, and the entity grains each hosts now. Grain-level detail is in the ',
      h('a', { href: '/dashboard/', id: 'link-dashboard' }, 'Orleans dashboard'), '.'),
    h('table', { id: 'silo-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Silo'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Started'), h('th', { scope: 'col', class: 'num' }, 'Queue and subscription grains'),
        h('th', { scope: 'col', class: 'num' }, 'Topic grains'), h('th', { scope: 'col', class: 'num' }, 'All activations'))),
      body));

  async function refresh() {
    const cluster = await api('GET', 'cluster');
    body.replaceChildren(...cluster.silos.map(s => h('tr', { 'data-silo': s.address },
      h('td', {}, s.address, s.answeringThisRequest ? h('span', { class: 'tag' }, ' this silo') : null),
      h('td', {}, s.name || '–'),
      h('td', {}, s.status),
      h('td', {}, fmtTime(s.startedAt)),
      h('td', { class: 'num', 'data-col': 'queues' }, fmtNumber(s.queueActivations)),
      h('td', { class: 'num', 'data-col': 'topics' }, fmtNumber(s.topicActivations)),
      h('td', { class: 'num' }, fmtNumber(s.totalActivations)))));
  }

  return refresh;
};

// ---------- Router ----------

let pollTimer = null;
let generation = 0;

function route() {
  const hash = location.hash || '#/entities';
  const [pathPart, queryPart] = hash.slice(1).split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(queryPart || '');
  const [section, ...rest] = parts;
  switch (section) {
    case 'queue': return { section: 'entities', make: () => pages.entity(entityRef('queue', rest.join('/'))) };
    case 'topic': return { section: 'entities', make: () => pages.entity(entityRef('topic', rest.join('/'))) };
    case 'subscription': return { section: 'entities', make: () => pages.entity(subscriptionRef(rest)) };
    case 'deadletters': return {
      section: 'entities',
      make: () => pages.deadletters(rest[0] === 'subscription' ? subscriptionRef(rest.slice(1)) : entityRef('queue', rest.slice(1).join('/'))),
    };
    case 'rules': return { section: 'entities', make: () => pages.rules(subscriptionRef(rest)) };
    case 'cluster': return { section: 'cluster', make: () => pages.cluster() };
    default: return { section: 'entities', make: () => pages.entities(params) };
  }
}

// Route parts of a subscription: topic (its own '/' were encoded, so it is one part) and name.
function subscriptionRef(parts) {
  return entityRef('subscription', `${parts[0]}${SUBSCRIPTIONS}${parts[1]}`);
}

// The sign-in form in the header: shown when the API refuses the tab's token (or its lack of one).
const signIn = {
  form: () => document.getElementById('signin'),
  ask() {
    const form = this.form();
    if (!form.hidden) return;
    form.hidden = false;
    document.getElementById('signout').hidden = !sessionStorage.getItem(TOKEN_KEY);
    document.getElementById('signin-token').focus();
  },
  init() {
    const form = this.form();
    form.addEventListener('submit', event => {
      event.preventDefault();
      const token = document.getElementById('signin-token').value.trim();
      if (!token.startsWith('SharedAccessSignature ')) {
        status.show('Paste a token that starts with "SharedAccessSignature ".', 'error');
        document.getElementById('signin-token').select();
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, token);
      document.getElementById('signin-token').value = '';
      form.hidden = true;
      show();
    });
    document.getElementById('signout').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      show();
    });
  },
};

function show() {
  clearTimeout(pollTimer);
  const current = ++generation;
  status.clear();
  const { section, make } = route();
  for (const link of document.querySelectorAll('nav a[data-section]')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const poll = make();
  const heading = document.querySelector('main h1');
  if (heading) heading.focus();
  if (!poll) return;

  // One poll at a time; a failure is shown and the next poll tries again.
  const tick = async () => {
    try {
      await poll();
      if (current === generation && document.getElementById('status').classList.contains('error') && lastPollFailed) status.clear();
      lastPollFailed = false;
    } catch (e) {
      if (current === generation) {
        status.error(e);
        lastPollFailed = true;
      }
    }
    if (current === generation) pollTimer = setTimeout(tick, POLL_MS);
  };
  tick();
}

let lastPollFailed = false;

window.addEventListener('hashchange', show);
signIn.init();
show();
