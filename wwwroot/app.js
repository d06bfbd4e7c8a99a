// The reference client of the StreamingApi protocol (docs/protocol.md): the browser's own EventSource, one
// listener per event type (the list comes from the server), closed on `done`. When the connection breaks before
// `done`, EventSource reconnects by itself with Last-Event-ID and the server continues the same run.
// The run shown is in the page's address (?run=<runId>), so a reload reads the same run again from its start: a
// replay, or a `snapshot` of the answer so far when the start is no longer held, then the rest, live.
// When the server requires credentials (GET /auth), the page asks for an API key and keeps it in sessionStorage
// (this tab only, gone when it closes). Fetches send it as `Authorization: Bearer`; an EventSource cannot send
// headers, so each stream gets a ticket first (POST /auth/tickets) and carries it as `&ticket=` in its URL. The
// ticket also authenticates that run's reconnects, so EventSource's own reconnect still resumes the run.
// A tool call that needs a person's decision (`approval-request`) gets Approve and Deny buttons on its card, and the
// run shows "waiting" until the decision (POST /runs/{runId}/approvals/{approvalId}) comes back as its `approval` event.
import { renderMarkdown } from './markdown.js';
import { EVENT_TYPES } from '/stream/event-types.js';
const $ = (id) => document.getElementById(id);
const form = $('run-form');
const keyForm = $('key-form');
const ui = {
  prompt: $('prompt'), endpoint: $('endpoint'), maxSeconds: $('maxSeconds'), every: $('every'),
  minChars: $('minChars'), maxDelayMs: $('maxDelayMs'), fail: $('fail'),
  start: $('start'), stop: $('stop'), curl: $('curl'), copy: $('copy'),
  state: $('state'), runInfo: $('run-info'), doneInfo: $('done-info'), output: $('output'), error: $('error'),
  reasoningPanel: $('reasoning-panel'), reasoning: $('reasoning'), reasoningState: $('reasoning-state'),
  toolsPanel: $('tools-panel'), tools: $('tools'), resultPanel: $('result-panel'), result: $('result'), resultState: $('result-state'),
  progressPanel: $('progress-panel'), bar: $('p-bar'), raw: $('raw'), rawCount: $('raw-count'),
  key: $('api-key'), keyMessage: $('key-message'),
};

let run = null; // { source, runId, text, startedAt, maxSeconds, timer, renderPending, finished, stopping, lastType, answering, resuming, frames }

function requestUrl() {
  const endpoint = ui.endpoint.value;
  const params = new URLSearchParams({ prompt: ui.prompt.value });
  if (ui.maxSeconds.value) params.set('maxSeconds', ui.maxSeconds.value);
  if (endpoint === 'progress') params.set('every', ui.every.value);
  if (endpoint === 'buffered') { params.set('minChars', ui.minChars.value); params.set('maxDelayMs', ui.maxDelayMs.value); }
  if (endpoint === 'flaky') params.set('fail', ui.fail.checked ? 'true' : 'false');
  return `/stream/${endpoint}?${params}`;
}

function refreshForm() {
  for (const label of form.querySelectorAll('[data-for]')) label.hidden = label.dataset.for !== ui.endpoint.value;
  const credentials = auth.required ? ' -H "Authorization: Bearer $STREAMINGAPI_KEY"' : ''; // never the key itself
  ui.curl.textContent = `curl -N${credentials} "${location.origin}${requestUrl()}"`;
}

const KEY_STORAGE = 'streamingapi.apiKey';

/** What the server requires (GET /auth), and the key the user gave, if any. */
const auth = { required: false, key: sessionStorage.getItem(KEY_STORAGE) };

/** Asks the server whether it requires credentials; when it does and no key is kept, asks for one. */
async function loadAuth() {
  try {
    const response = await fetch('/auth');
    if (response.ok) auth.required = (await response.json()).required === true;
  } catch {
    // The server is out of reach: the first request will say so.
  }
  document.body.dataset.auth = auth.required ? 'required' : 'off';
  refreshForm();
  if (auth.required && !auth.key) askForKey();
}

const authLoaded = loadAuth();

/** Where a run's trace can be seen (GET /telemetry): a template with {traceId}, or null. */
const telemetry = { traceUrlTemplate: null };
const telemetryLoaded = fetch('/telemetry')
  .then(response => (response.ok ? response.json() : {}))
  .then(body => { telemetry.traceUrlTemplate = typeof body.traceUrlTemplate === 'string' ? body.traceUrlTemplate : null; })
  .catch(() => {}); // no link, only the id

/** Shows the key form; `message` says why it is shown again (a key the server refused). */
function askForKey(message = '') {
  keyForm.hidden = false;
  keyForm.toggleAttribute('data-rejected', message !== '');
  ui.keyMessage.textContent = message;
  ui.key.value = '';
  ui.key.focus();
}

/** The server refused the key (401): it is forgotten, and the page asks for another. */
function keyRejected() {
  auth.key = null;
  sessionStorage.removeItem(KEY_STORAGE);
  askForKey('The server did not accept that key (401). Enter a valid API key.');
}

/** The headers of a fetch: the key, when the server requires one. */
function authHeaders() {
  return auth.required && auth.key ? { Authorization: `Bearer ${auth.key}` } : {};
}

/**
 * The URL an EventSource opens: `url` itself when the server requires no credentials, else `url` with a new ticket.
 * Null when there is no ticket (no key, a key the server refused, or no answer): the page has said why.
 */
async function streamUrl(url) {
  if (!auth.required) return url;
  if (!auth.key) { askForKey(); return null; }
  let response;
  try {
    response = await fetch('/auth/tickets', { method: 'POST', headers: authHeaders() });
  } catch {
    showError({ title: 'No ticket for the stream', detail: 'The server could not be reached.' });
    return null;
  }
  if (response.status === 401) { keyRejected(); return null; }
  if (!response.ok) {
    showError({ title: 'No ticket for the stream', status: response.status, detail: `The server answered ${response.status}.` });
    return null;
  }
  const { ticket } = await response.json();
  return `${url}${url.includes('?') ? '&' : '?'}ticket=${encodeURIComponent(ticket)}`;
}

function setState(state, detail = '') {
  ui.state.dataset.state = state;
  ui.state.textContent = state;
  ui.doneInfo.textContent = detail;
}

/** Clears the answer: the text, reasoning, tool calls, result, error and progress (not the raw frames, nor the run's id). */
function clearAnswer() {
  ui.output.replaceChildren();
  ui.reasoning.replaceChildren();
  ui.reasoningPanel.hidden = true;
  ui.reasoningPanel.open = false;
  ui.error.hidden = true;
  ui.error.replaceChildren();
  ui.tools.replaceChildren();
  ui.toolsPanel.hidden = true;
  ui.result.replaceChildren();
  ui.resultPanel.hidden = true;
  ui.progressPanel.hidden = ui.endpoint.value !== 'progress';
  setProgress({ chunks: 0, chars: 0, charsPerSecond: 0, elapsedMs: 0 });
}

function reset() {
  clearAnswer();
  ui.raw.replaceChildren();
  ui.rawCount.textContent = '0';
  ui.runInfo.textContent = '';
}

async function start() {
  if (!form.reportValidity()) return;
  if (run?.starting) return; // already on its way
  setState('starting');
  await Promise.all([authLoaded, telemetryLoaded]);
  if (auth.required && !auth.key) { setState('idle'); return askForKey(); }
  stop({ silent: true });
  forgetRun();
  await follow(requestUrl(), { maxSeconds: Number(ui.maxSeconds.value) || null });
}

/**
 * Shows the stream at `url` from its first frame. `resuming`: the stream is a run the page was showing before a
 * reload (`/runs/{runId}/events`), which may have ended or expired meanwhile.
 */
async function follow(url, { maxSeconds = null, resuming = false } = {}) {
  reset();
  run = { starting: true, finished: true }; // no stream yet: nothing to stop, no frame to take
  setState('starting', auth.required ? 'getting a ticket for the stream' : '');
  ui.start.disabled = true;
  const opened = await streamUrl(url);
  ui.start.disabled = false;
  if (opened === null) {
    run = null;
    return setState(ui.error.hidden ? 'idle' : 'failed');
  }
  const source = new EventSource(opened);
  run = { source, text: '', startedAt: performance.now(), maxSeconds, finished: false, resuming, frames: 0 };
  run.timer = setInterval(tick, 100);
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (event) => {
      if (!run || run.source !== source || run.finished) return;
      // `error` is also the name EventSource gives its own connection errors, which carry no data.
      if (event.data === undefined) return connectionInterrupted();
      if (ui.state.dataset.state === 'reconnecting') setState(run.stopping ? 'stopping' : pendingApprovals().length > 0 ? 'waiting' : 'running', waitingDetail());
      run.frames++;
      logFrame(event.lastEventId, type, event.data);
      handlers[type](JSON.parse(event.data));
      if (type !== 'reasoning' && run.lastType === 'reasoning') reasoningPaused();
      run.lastType = type;
    });
  }
  // A waiting run's stream is quiet (heartbeats only): once a broken connection is back, it is waiting again.
  source.addEventListener('open', () => {
    if (run?.source === source && !run.finished && ui.state.dataset.state === 'reconnecting' && pendingApprovals().length > 0) showWaiting();
  });
  setState('running');
  ui.output.setAttribute('aria-busy', 'true');
  ui.start.disabled = true;
  ui.stop.disabled = false;
  ui.bar.toggleAttribute('data-indeterminate', !run.maxSeconds);
}

/**
 * The stream broke before `done`. While EventSource is reconnecting (it sends Last-Event-ID, and the server goes on
 * with the same run), say so; once it has given up (the server answered 204: the run cannot be resumed), stop.
 */
function connectionInterrupted() {
  if (run.resuming && run.frames === 0 && run.source.readyState === EventSource.CLOSED) {
    // The run the page remembered is gone (404, or 204 once it expired): nothing to show, nothing to report.
    finish('idle', '');
    return forgetRun();
  }
  if (run.source.readyState === EventSource.CONNECTING) {
    setState('reconnecting', 'the connection broke; resuming the same run');
    return;
  }
  finish('failed', 'the connection was lost and the run could not be resumed');
  showError({ title: 'Connection lost', detail: 'The stream ended before its done event, and the run could not be resumed.' });
}

/** Stop asks the server to cancel the run; its stream then ends with done {status: cancelled, reason: stopped}. */
async function stop({ silent = false } = {}) {
  if (!run || run.finished) return;
  const current = run;
  if (!current.runId || silent) {
    // No run id yet (or another run replaces this one): closing the stream is all there is to do.
    if (current.runId) fetch(`/runs/${current.runId}/cancel`, { method: 'POST', headers: authHeaders() }).catch(() => {});
    return finish('stopped', silent ? '' : 'stopped before the run began');
  }
  current.stopping = true;
  ui.stop.disabled = true;
  setState('stopping', 'asking the server to cancel the run');
  try {
    const response = await fetch(`/runs/${current.runId}/cancel`, { method: 'POST', headers: authHeaders() });
    if (response.status === 401) keyRejected();
    if (!response.ok && !current.finished) finish('stopped', `the server answered ${response.status}; the stream was closed`, current);
  } catch {
    if (!current.finished) finish('stopped', 'the server could not be reached; the stream was closed', current);
  }
}

function finish(state, detail, current = run) {
  current.finished = true;
  current.source.close();
  clearInterval(current.timer);
  if (current !== run) return; // a newer run has the page
  renderText();
  if (run.lastType === 'reasoning') reasoningPaused();
  for (const item of ui.tools.querySelectorAll('li[data-state=running], li[data-state=waiting]')) {
    item.dataset.state = 'failed';
    item.querySelector('.when').textContent = 'not finished';
  }
  for (const approval of ui.tools.querySelectorAll('.approval[data-decision=pending], .approval[data-decision=sending]')) {
    approval.dataset.decision = 'undecided';
    approval.querySelector('.decision').textContent = 'no decision: the run ended';
  }
  ui.bar.removeAttribute('data-indeterminate');
  ui.output.setAttribute('aria-busy', 'false');
  ui.start.disabled = false;
  ui.stop.disabled = true;
  setState(state, detail);
}

const handlers = {
  run(data) {
    showRun(data);
  },
  /**
   * The answer so far, in place of the events no longer held (a reload, or a reconnect after a long break): it
   * replaces what the page shows, and the events after it continue from there.
   */
  snapshot(data) {
    if (data.run) showRun(data.run);
    clearAnswer();
    run.text = data.text;
    run.answering = data.text.length > 0;
    renderText(); // at once: the text so far is the point of a snapshot
    if (data.reasoning) {
      ui.reasoningPanel.hidden = false;
      ui.reasoningPanel.open = !run.answering;
      // The snapshot has the reasoning as one text: the stretches it was made of are no longer told apart.
      ui.reasoning.append(element('p', {}, data.reasoning));
      reasoningPaused();
    }
    for (const call of data.toolCalls) {
      const item = addToolCall(call, null);
      if (call.approval) {
        askForApproval(item, { ...call.approval, callId: call.callId, name: call.name });
        if (call.approval.approved != null) showDecision(item, call.approval);
      }
      if (call.elapsedMs != null || call.error) completeToolCall(item, call);
    }
    if (data.status === 'waiting' || pendingApprovals().length > 0) showWaiting();
    if (data.result != null) showResult(data.result, false);
    else if (data.partial != null) showResult(data.partial, true);
    if (data.progress) { ui.progressPanel.hidden = false; setProgress(data.progress); }
    if (data.error) showError(data.error);
  },
  text(data) {
    if (!run.answering) { run.answering = true; ui.reasoningPanel.open = false; } // the answer takes over from the thinking
    run.text += data.delta;
    if (!run.renderPending) {
      run.renderPending = true;
      requestAnimationFrame(renderText);
    }
  },
  reasoning(data) {
    // Plain text, never markdown or HTML; each stretch of thinking (one per model turn) is a paragraph of its own
    // (after a snapshot, whose reasoning is one paragraph, the thinking goes on in it).
    if (ui.reasoningPanel.hidden) { ui.reasoningPanel.hidden = false; ui.reasoningPanel.open = true; }
    if (!['reasoning', 'snapshot'].includes(run.lastType) || !ui.reasoning.lastChild) ui.reasoning.append(element('p'));
    ui.reasoning.lastChild.append(data.delta);
    ui.reasoningState.textContent = 'thinking…';
  },
  'tool-call'(data) {
    addToolCall(data, performance.now());
  },
  'tool-result'(data) {
    const item = toolCall(data.callId);
    if (item) completeToolCall(item, data);
  },
  /** The call waits for a person's decision: the card asks for it, and the run waits. */
  'approval-request'(data) {
    const item = toolCall(data.callId);
    if (!item) return;
    askForApproval(item, data);
    showWaiting();
  },
  /** The decision that stands (this page's, another client's, or the timeout's); the run goes on. */
  approval(data) {
    const item = ui.tools.querySelector(`li[data-approval-id="${CSS.escape(data.approvalId)}"]`);
    if (item) showDecision(item, data);
    if (pendingApprovals().length === 0 && ui.state.dataset.state === 'waiting') setState('running');
  },
  partial(data) {
    showResult(data.output, true);
  },
  result(data) {
    showResult(data.output, false);
  },
  progress(data) {
    setProgress(data);
  },
  error(data) {
    showError(data);
  },
  done(data) {
    const figures = `${data.chunks} chunks · ${data.chars} chars · ${(data.elapsedMs / 1000).toFixed(1)} s`;
    finish(data.status, data.reason ? `${data.reason} · ${figures}` : figures);
    if (ui.endpoint.value === 'progress') ui.bar.querySelector('span').style.width = '100%';
  },
};

function showRun(data) {
  run.runId = data.runId;
  ui.runInfo.textContent = `run ${data.runId} · ${data.agent} on ${data.model}`;
  if (data.traceId) ui.runInfo.append(' · ', traceLink(data.traceId));
  rememberRun(data.runId);
}

/** The run's trace id, a link to it where the server names a trace viewer (Telemetry:TraceUrlTemplate). */
function traceLink(traceId) {
  const label = `trace ${traceId}`;
  if (!telemetry.traceUrlTemplate) return element('span', { 'data-trace-id': traceId }, label);
  const href = telemetry.traceUrlTemplate.replaceAll('{traceId}', encodeURIComponent(traceId));
  return element('a', { href, target: '_blank', rel: 'noopener', 'data-trace-id': traceId }, label);
}

/** A running tool call in the timeline; `started` (performance.now()) is unknown for a call a snapshot brings. */
function addToolCall(data, started) {
  ui.toolsPanel.hidden = false;
  const item = element('li', { 'data-call-id': data.callId, 'data-state': 'running' });
  if (started !== null) item.dataset.started = String(started);
  item.append(
    element('div', { class: 'head' }, [element('span', { class: 'name' }, data.name), element('span', { class: 'when' }, 'running')]),
    element('div', { class: 'args' }, JSON.stringify(data.arguments)));
  ui.tools.append(item);
  return item;
}

function toolCall(callId) {
  return [...ui.tools.children].find((li) => li.dataset.callId === callId);
}

function completeToolCall(item, data) {
  const denied = data.error === 'denied';
  item.dataset.state = denied ? 'denied' : data.error ? 'failed' : 'done';
  item.querySelector('.when').textContent = denied ? 'denied: not run' : data.error ? `failed after ${data.elapsedMs} ms` : `${data.elapsedMs} ms`;
  const result = element('details', { class: 'result' }, [element('summary', {}, data.error ?? 'result'), element('pre', {}, JSON.stringify(data.result, null, 2))]);
  if (data.error) result.querySelector('pre').remove();
  item.append(result);
}

/** The approvals nobody has decided yet (on this page or elsewhere, as far as the page knows). */
function pendingApprovals() {
  return [...ui.tools.querySelectorAll('.approval[data-decision=pending], .approval[data-decision=sending]')];
}

function waitingDetail() {
  const count = pendingApprovals().length;
  return count === 0 ? '' : count === 1 ? 'waiting for approval' : `waiting for ${count} approvals`;
}

/** The run waits for decisions: no task runs on the server, and the stream stays quiet until they come. */
function showWaiting() {
  if (run.stopping) return;
  setState('waiting', waitingDetail());
}

/**
 * Approve and Deny on the card of a call that needs a decision (`request`: the approval-request event, or a snapshot's
 * tool call approval), with an optional reason. A decision the page sends shows once the run's `approval` event says so.
 */
function askForApproval(item, request) {
  item.dataset.approvalId = request.approvalId;
  item.dataset.state = 'waiting';
  delete item.dataset.started; // the time it waits is not the tool's
  item.querySelector('.when').textContent = 'waiting for approval';
  item.querySelector('.approval')?.remove();
  const expires = request.expiresAt ? new Date(request.expiresAt) : null;
  const reason = element('input', { class: 'reason', type: 'text', maxlength: '500', placeholder: 'reason (optional)', 'aria-label': `Reason for the decision on ${request.name}` });
  const approve = element('button', { type: 'button', class: 'approve' }, 'Approve');
  const deny = element('button', { type: 'button', class: 'deny' }, 'Deny');
  const box = element('div', { class: 'approval', 'data-decision': 'pending', role: 'group', 'aria-label': `Approve or deny ${request.name}` }, [
    element('p', { class: 'ask' }, expires && !Number.isNaN(expires.getTime())
      ? `This call needs your approval (until ${expires.toLocaleTimeString()}; no decision by then is a denial).`
      : 'This call needs your approval.'),
    element('div', { class: 'buttons' }, [approve, deny, reason]),
    element('p', { class: 'decision', role: 'status' }),
  ]);
  approve.addEventListener('click', () => decide(item, true));
  deny.addEventListener('click', () => decide(item, false));
  item.querySelector('.args').after(box);
}

/** Sends the decision on `item`'s approval; the card shows the outcome once the run's `approval` event comes. */
async function decide(item, approved) {
  const box = item.querySelector('.approval');
  if (!box || box.dataset.decision !== 'pending' || !run?.runId) return;
  const current = run;
  const reason = box.querySelector('.reason').value.trim();
  const message = box.querySelector('.decision');
  box.dataset.decision = 'sending';
  for (const control of box.querySelectorAll('button, input')) control.disabled = true;
  message.textContent = approved ? 'approving…' : 'denying…';
  const url = `/runs/${encodeURIComponent(current.runId)}/approvals/${encodeURIComponent(item.dataset.approvalId)}`;
  let response = null;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authHeaders() },
      body: JSON.stringify(reason ? { approved, reason } : { approved }),
    });
  } catch {
    // Said below.
  }
  if (box.dataset.decision !== 'sending') return; // the approval event came first
  if (response?.ok) {
    message.textContent = approved ? 'approved; the run goes on…' : 'denied; the run goes on…';
    return;
  }
  if (response?.status === 409) {
    // Another decision stood already (another client's): the approval event will say which.
    message.textContent = 'another decision was made first';
    return;
  }
  if (response?.status === 410) {
    box.dataset.decision = 'undecided';
    message.textContent = 'too late: the time to decide ran out (a denial)';
    return;
  }
  if (response?.status === 401) keyRejected();
  box.dataset.decision = 'pending';
  for (const control of box.querySelectorAll('button, input')) control.disabled = false;
  message.textContent = response ? `The server answered ${response.status}; try again.` : 'The server could not be reached; try again.';
}

/** The decision that stands on `item`'s call: `{approved, reason}`. */
function showDecision(item, decision) {
  const box = item.querySelector('.approval');
  if (!box) return;
  box.dataset.decision = decision.approved ? 'approved' : 'denied';
  box.querySelector('.buttons')?.remove();
  box.querySelector('.ask')?.remove();
  box.querySelector('.decision').textContent = `${decision.approved ? 'approved' : 'denied'}${decision.reason ? `: ${decision.reason}` : ''}`;
  if (item.dataset.state === 'waiting') {
    item.dataset.state = 'running';
    item.querySelector('.when').textContent = decision.approved ? 'running' : 'denied';
  }
}

/** A stretch of thinking ended: its size replaces "thinking…". */
function reasoningPaused() {
  ui.reasoningState.textContent = `${ui.reasoning.textContent.length} chars`;
}

function renderText() {
  if (!run) return;
  run.renderPending = false;
  ui.output.innerHTML = renderMarkdown(run.text); // renderMarkdown escapes raw HTML and sanitises the rest
}

function showResult(output, partial) {
  ui.resultPanel.hidden = false;
  ui.resultPanel.toggleAttribute('data-partial', partial);
  ui.resultState.textContent = partial ? 'generating…' : 'validated';
  const list = (items, className) => element('ul', className ? { class: className } : {}, (items ?? []).map((text) => element('li', {}, text)));
  ui.result.replaceChildren(
    element('h3', {}, 'Summary'), element('p', { class: 'summary' }, output.summary ?? '…'),
    element('h3', {}, 'Findings'), list(output.findings),
    element('h3', {}, 'Recommendations'), list(output.recommendations),
    element('h3', {}, 'Data sources'), list(output.dataSources, 'sources'));
}

function showError(error) {
  ui.error.hidden = false;
  ui.error.replaceChildren(
    element('strong', {}, `${error.title}${error.status ? ` (${error.status})` : ''}`),
    element('span', {}, error.detail ?? ''),
    error.type ? element('div', { class: 'muted' }, error.type) : '');
}

function setProgress(data) {
  $('p-chunks').textContent = data.chunks;
  $('p-chars').textContent = data.chars;
  $('p-rate').textContent = Number(data.charsPerSecond).toFixed(1);
  $('p-elapsed').textContent = `${(data.elapsedMs / 1000).toFixed(1)} s`;
}

function tick() {
  if (!run || run.finished) return;
  const now = performance.now();
  for (const item of ui.tools.querySelectorAll('li[data-state=running][data-started]'))
    item.querySelector('.when').textContent = `running ${((now - Number(item.dataset.started)) / 1000).toFixed(1)} s`;
  if (run.maxSeconds) ui.bar.querySelector('span').style.width = `${Math.min(100, (now - run.startedAt) / 10 / run.maxSeconds)}%`;
}

function logFrame(id, type, data) {
  ui.raw.append(element('tr', {}, [element('td', {}, id), element('td', {}, type), element('td', {}, data)]));
  ui.rawCount.textContent = String(ui.raw.children.length);
}

/** Builds DOM from text only: nothing here is ever parsed as HTML. */
function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...(Array.isArray(children) ? children : [children]));
  return node;
}

/** The run shown goes in the address, so that a reload (or the address in another tab) shows it again. */
function rememberRun(runId) {
  const address = new URL(location.href);
  if (address.searchParams.get('run') === runId) return;
  address.searchParams.set('run', runId);
  history.replaceState(history.state, '', address);
}

function forgetRun() {
  const address = new URL(location.href);
  if (!address.searchParams.has('run')) return;
  address.searchParams.delete('run');
  history.replaceState(history.state, '', address);
}

/**
 * On load: the run in the address, if the server still has it (a finished run stays readable for its retention),
 * read again from its start; the server replays it, or sends a snapshot first when its start is no longer held.
 * A run the server no longer knows is forgotten without a word; one it cannot tell about now stays in the address.
 */
async function resumeRememberedRun() {
  const runId = new URL(location.href).searchParams.get('run');
  if (!runId) return;
  await Promise.all([authLoaded, telemetryLoaded]);
  if (auth.required && !auth.key) return; // resumed once the key is given
  let response = null;
  try {
    response = await fetch(`/runs/${encodeURIComponent(runId)}`, { headers: authHeaders() });
  } catch {
    // The server is out of reach (said below).
  }
  if (run) return; // a run was started meanwhile
  if (response?.status === 404) return forgetRun();
  if (response?.status === 401) return keyRejected();
  if (!response?.ok) {
    return showError({
      title: `Run ${runId} could not be loaded`,
      detail: response ? `The server answered ${response.status}; reload to try again.` : 'The server could not be reached; reload to try again.',
    });
  }
  const record = await response.json();
  if (run) return;
  // The endpoint that started it, so that the form (and the progress panel) match the run shown.
  if ([...ui.endpoint.options].some((option) => option.value === record.endpoint)) ui.endpoint.value = record.endpoint;
  refreshForm();
  follow(`/runs/${encodeURIComponent(record.runId)}/events`, { resuming: true });
}

form.addEventListener('submit', (event) => { event.preventDefault(); start(); });
keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = ui.key.value.trim();
  if (!key) return;
  auth.key = key;
  sessionStorage.setItem(KEY_STORAGE, key);
  ui.key.value = '';
  keyForm.hidden = true;
  if (!run) resumeRememberedRun();
});
form.addEventListener('input', refreshForm);
ui.prompt.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); start(); }
});
ui.stop.addEventListener('click', () => stop());
ui.copy.addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(ui.curl.textContent);
    ui.copy.textContent = 'Copied';
  } catch {
    getSelection().selectAllChildren(ui.curl);
    ui.copy.textContent = 'Selected';
  }
  setTimeout(() => { ui.copy.textContent = 'Copy'; }, 1500);
});
refreshForm();
resumeRememberedRun();
