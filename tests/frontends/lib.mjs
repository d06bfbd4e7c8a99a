// Shared by the scripts: the app's base URL (the first argument), fresh ids, the UI stream read two ways, a Chat's
// state and its exchanges recorded (each chunk checked against ai 6.0.0's strict schema), and AG-UI's events as they
// came over the wire, checked against the schemas of @ag-ui/core 1.0.0 and 0.0.59.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DefaultChatTransport, readUIMessageStream } from 'ai';
import { uiMessageChunkSchema as strictChunkSchema } from 'ai-6';
import { EventSchemas as EventSchemas100 } from '@ag-ui/core/schemas';
import { EventSchemas as EventSchemas0059 } from 'ag-ui-core-0059';

export const base = (() => {
  const url = process.argv[2];
  if (!url) {
    console.error('usage: node <script> <baseUrl>');
    process.exit(2);
  }
  return url.replace(/\/$/, '');
})();

export const newId = () => randomUUID().replaceAll('-', '');

export const user = (text) => ({ id: newId(), role: 'user', parts: [{ type: 'text', text }] });

export const assistant = (text) => ({ id: newId(), role: 'assistant', parts: [{ type: 'text', text }] });

/** The offline model's tokens: a word with the white space after it. */
export const tokens = (text) => text.match(/\S+\s*|\s+/g)?.length ?? 0;

export function transport(path, body) {
  return new DefaultChatTransport({ api: `${base}${path}`, body });
}

/**
 * Reads a UI message stream as useChat does (readUIMessageStream, terminating on an `error` part) and, beside it,
 * the raw parts as they arrived (each also given to onPart). Resolves with the last message and the parts, or rejects
 * as the client would.
 */
export async function read(stream, onPart = async () => {}) {
  const [forMessage, forParts] = stream.tee();
  const parts = [];
  const reading = (async () => {
    for await (const part of forParts) {
      parts.push(part);
      await onPart(part, parts);
    }
  })();
  let message;
  try {
    for await (const m of readUIMessageStream({ stream: forMessage, terminateOnError: true })) message = m;
  } catch (error) {
    await reading;
    error.parts = parts;
    throw error;
  }
  await reading;
  return { message, parts };
}

/** Posts the conversation to a chat endpoint as useChat does, and reads the answer. */
export async function chat(path, messages, { chatId = newId(), body, onPart } = {}) {
  const stream = await transport(path, body).sendMessages({
    chatId, trigger: 'submit-message', messageId: undefined, abortSignal: undefined, messages,
  });
  return read(stream, onPart);
}

/** Every text and reasoning part that was started was ended. */
export function assertClosed(parts) {
  for (const kind of ['text', 'reasoning']) {
    const started = parts.filter(p => p.type === `${kind}-start`).map(p => p.id);
    const ended = parts.filter(p => p.type === `${kind}-end`).map(p => p.id);
    if (JSON.stringify(started) !== JSON.stringify(ended)) throw new Error(`${kind} parts started ${started} but ended ${ended}`);
  }
}

export const textOf = (message) => message.parts.filter(p => p.type === 'text').map(p => p.text).join('');

export const reasoningOf = (message) => message.parts.filter(p => p.type === 'reasoning').map(p => p.text).join('');

/** A run's answer as GET /runs/{runId} has it (its output: text, reasoning, tool calls, status). */
export async function output(runId) {
  const response = await fetch(`${base}/runs/${runId}`);
  assert.equal(response.status, 200);
  return (await response.json()).output;
}

/** A fetch that hands an AG-UI client one copy of each response and keeps the other's text, for wireEvents. */
export function recordingFetch(wire) {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (!response.body) return response;
    const [forClient, forUs] = response.body.tee();
    wire.text = new Response(forUs).text();
    return new Response(forClient, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * The AG-UI events of a recorded response: LF line endings, one data: line of JSON per frame, no [DONE], and every
 * event accepted by the schemas of both @ag-ui/core 1.0.0 and 0.0.59 (the version CopilotKit's runtime pins).
 */
export async function wireEvents(wire) {
  const text = await wire.text;
  assert.ok(!text.includes('\r'), 'LF line endings only');
  assert.ok(!text.includes('[DONE]'));
  const events = text.split('\n\n').filter(frame => frame.trim()).map(frame => {
    const data = frame.split('\n').filter(line => line.startsWith('data:')).map(line => line.slice(5).replace(/^ /, ''));
    assert.equal(data.length, 1, `one data line per frame: ${frame}`);
    return JSON.parse(data[0]);
  });
  for (const event of events) {
    const now = EventSchemas100.safeParse(event);
    assert.ok(now.success, `@ag-ui/core 1.0.0 rejects ${JSON.stringify(event)}: ${now.error}`);
    const pinned = EventSchemas0059.safeParse(event);
    assert.ok(pinned.success, `@ag-ui/core 0.0.59 rejects ${JSON.stringify(event)}: ${pinned.error}`);
  }
  return events;
}

/** Runs fn with console.warn captured (the AG-UI client warns about events it cannot apply); returns what it warned. */
export async function warningsOf(fn) {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => warnings.push(args.join(' '));
  try {
    await fn();
  } finally {
    console.warn = warn;
  }
  return warnings;
}

/**
 * Posts the question as useChat does and cuts the connection once `deltas` text deltas have come (after the tool's
 * output, when `afterTool`). Resolves with the parts that came before the cut.
 */
export async function chatAndCut(path, chatId, question, { deltas = 40, afterTool = false } = {}) {
  const cut = new AbortController();
  const stream = await transport(path).sendMessages({
    chatId, trigger: 'submit-message', messageId: undefined, abortSignal: cut.signal, messages: [user(question)],
  });
  const before = [];
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      before.push(value);
      const counted = afterTool ? before.slice(before.findIndex(p => p.type === 'tool-output-available') + 1) : before;
      if ((!afterTool || before.some(p => p.type === 'tool-output-available')) && counted.filter(p => p.type === 'text-delta').length === deltas) {
        cut.abort();
      }
    }
  } catch (error) {
    assert.equal(error.name, 'AbortError');
  }
  assert.ok(cut.signal.aborted, 'the connection was cut in the middle of the answer');
  return before;
}

/** Waits until the condition holds, checking every 20 ms, for at most a minute. */
export async function until(condition, what) {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

/** A Chat's state outside React: plain arrays, replaced on each change, as the React and Vue bindings keep theirs. */
export function chatState() {
  return {
    status: 'ready', error: undefined, messages: [],
    pushMessage(message) { this.messages = this.messages.concat(message); },
    popMessage() { this.messages = this.messages.slice(0, -1); },
    replaceMessage(index, message) { this.messages = [...this.messages.slice(0, index), message, ...this.messages.slice(index + 1)]; },
    snapshot: value => structuredClone(value),
  };
}

/** A fetch that keeps every request's body and every response's raw SSE text (as the exchanges, in order). */
export function recording(exchanges) {
  return async (url, init) => {
    const exchange = { body: JSON.parse(init.body) };
    exchanges.push(exchange);
    const response = await fetch(url, init);
    exchange.status = response.status;
    if (!response.body) return response;
    const [forClient, forUs] = response.body.tee();
    exchange.text = new Response(forUs).text();
    return new Response(forClient, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

const strict = strictChunkSchema();

/** The chunks of a recorded response: one data: line of JSON per frame, [DONE] last, each accepted by ai 6.0.0. */
export async function chunksOf(exchange) {
  const text = await exchange.text;
  const data = text.split('\n\n').filter(frame => frame.startsWith('data: ')).map(frame => frame.slice(6));
  assert.equal(data.at(-1), '[DONE]', 'the response ends with [DONE]');
  const chunks = data.slice(0, -1).map(line => JSON.parse(line));
  for (const chunk of chunks) {
    const result = await strict.validate(chunk);
    assert.ok(result.success, `ai 6.0.0 rejects ${JSON.stringify(chunk)}: ${result.error}`);
  }
  return chunks;
}
