// Tool approval over AG-UI with its own client: the analyst's send_report ends the first run with RUN_FINISHED
// {outcome: interrupt} (agent.pendingInterrupts), and the next runAgent({resume}) streams the continuation of the same
// waiting run: TOOL_CALL_RESULT on the original call, the answer, RUN_FINISHED. Every event as it came over the wire is
// checked against the schemas of @ag-ui/core 1.0.0 and 0.0.59; the client must print no warning about them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpAgent, buildResumeArray, runHttpRequest, transformHttpEventStream } from '@ag-ui/client';
import { base, newId, recordingFetch, warningsOf, wireEvents } from './lib.mjs';

const ask = 'Analyze our 2024 sales and email the report to cfo@example.com';

/** A client on a new thread with the question, and a function that runs it once and returns that response's events. */
function client(question = ask) {
  const wire = {};
  const threadId = newId();
  const agent = new HttpAgent({
    url: `${base}/api/agents/analyst/ag-ui`, threadId, fetch: recordingFetch(wire),
    initialMessages: [{ id: newId(), role: 'user', content: question }],
  });
  const run = async (parameters = {}) => {
    const runId = newId();
    let outcome;
    const warnings = await warningsOf(async () => { outcome = await agent.runAgent({ runId, ...parameters }); });
    const events = await wireEvents(wire);
    assert.deepEqual(warnings, []);
    assert.deepEqual(events[0], { type: 'RUN_STARTED', threadId, runId });
    return { events, outcome, runId };
  };
  return { agent, threadId, run };
}

/** Our run behind the AG-UI ids: the ids we make start with it. */
const ourRunId = (events) => events.find(e => e.type === 'TOOL_CALL_START').parentMessageId.split('-')[0];

async function record(runId) {
  const response = await fetch(`${base}/runs/${runId}`);
  assert.equal(response.status, 200);
  return response.json();
}

/** The first run: it stops at send_report with one interrupt, and the run waits. */
async function untilInterrupt(c) {
  const { events, outcome } = await c.run();
  const last = events.at(-1);
  assert.equal(last.type, 'RUN_FINISHED');
  assert.equal(last.outcome.type, 'interrupt');
  assert.equal(last.result, undefined);
  assert.equal(outcome.result, undefined);
  const [interrupt, ...others] = last.outcome.interrupts;
  assert.deepEqual(others, []);
  assert.equal(interrupt.reason, 'tool_call');
  assert.equal(interrupt.message, 'Send the report to cfo@example.com?');
  assert.deepEqual(interrupt.responseSchema.required, ['approved']);
  assert.equal(interrupt.responseSchema.properties.approved.type, 'boolean');
  assert.ok(Date.parse(interrupt.expiresAt) > Date.now(), interrupt.expiresAt);

  // The call was announced, whole, and has no result yet; nothing is left open before RUN_FINISHED.
  const start = events.find(e => e.type === 'TOOL_CALL_START' && e.toolCallId === interrupt.toolCallId);
  assert.equal(start.toolCallName, 'send_report');
  const args = events.filter(e => e.type === 'TOOL_CALL_ARGS' && e.toolCallId === interrupt.toolCallId).map(e => e.delta).join('');
  assert.equal(JSON.parse(args).to, 'cfo@example.com');
  assert.ok(events.some(e => e.type === 'TOOL_CALL_END' && e.toolCallId === interrupt.toolCallId));
  assert.ok(!events.some(e => e.type === 'TOOL_CALL_RESULT' && e.toolCallId === interrupt.toolCallId));
  assert.ok(!JSON.stringify(events).includes('pendingToolCallIds'));

  assert.deepEqual(c.agent.pendingInterrupts, [interrupt]);
  const runId = ourRunId(events);
  assert.equal((await record(runId)).status, 'waiting');
  return { interrupt, runId };
}

/** The continuation: the call's result on the original call id (with no second start), the answer, RUN_FINISHED. */
async function continuation(c, interrupt, resume) {
  const { events, outcome } = await c.run({ resume });
  assert.ok(!events.some(e => e.type === 'TOOL_CALL_START' && e.toolCallId === interrupt.toolCallId));
  const results = events.filter(e => e.type === 'TOOL_CALL_RESULT');
  assert.equal(results.length, 1);
  assert.equal(results[0].toolCallId, interrupt.toolCallId);
  const last = events.at(-1);
  assert.equal(last.type, 'RUN_FINISHED');
  assert.equal(last.outcome, undefined);
  assert.ok(last.usage[0].inputTokens > 0);
  assert.deepEqual(c.agent.pendingInterrupts, []);
  const answer = outcome.newMessages.filter(m => m.role === 'assistant' && m.content).map(m => m.content).join('');

  // The client put the result right after the assistant message with the call, and has every message id once.
  const messages = c.agent.messages;
  const holder = messages.findIndex(m => m.toolCalls?.some(t => t.id === interrupt.toolCallId));
  assert.equal(messages[holder + 1].role, 'tool');
  assert.equal(messages[holder + 1].toolCallId, interrupt.toolCallId);
  assert.equal(new Set(messages.map(m => m.id)).size, messages.length);
  return { content: results[0].content, answer, outcome };
}

test('approved: the continuation sends the report and says so, and the same run completes', async () => {
  const c = client();
  const { interrupt, runId } = await untilInterrupt(c);

  const resume = buildResumeArray(c.agent.pendingInterrupts, { [interrupt.id]: { status: 'resolved', payload: { approved: true, reason: 'looks right' } } });
  const { content, answer, outcome } = await continuation(c, interrupt, resume);

  assert.equal(JSON.parse(content).sent, true);
  assert.match(answer, /The report was sent to cfo@example\.com/);
  assert.ok(outcome.result.summary.length > 0);
  const done = await record(runId);
  assert.equal(done.status, 'completed');
  const call = done.output.toolCalls.find(t => t.callId === interrupt.toolCallId);
  assert.deepEqual([call.approval.approved, call.approval.reason], [true, 'looks right']);
});

test('denied: the call fails as denied, the model says the report was not sent', async () => {
  const c = client();
  const { interrupt, runId } = await untilInterrupt(c);

  const { content, answer } = await continuation(c, interrupt,
    [{ interruptId: interrupt.id, status: 'resolved', payload: { approved: false, reason: 'not now' } }]);

  assert.equal(content, 'denied');
  assert.match(answer, /The report was not sent to cfo@example\.com/);
  const call = (await record(runId)).output.toolCalls.find(t => t.callId === interrupt.toolCallId);
  assert.deepEqual([call.approval.approved, call.approval.reason], [false, 'not now']);
});

test('cancelled counts as denied', async () => {
  const c = client();
  const { interrupt, runId } = await untilInterrupt(c);

  const { content, answer } = await continuation(c, interrupt, buildResumeArray(c.agent.pendingInterrupts, { [interrupt.id]: { status: 'cancelled' } }));

  assert.equal(content, 'denied');
  assert.match(answer, /was not sent/);
  const call = (await record(runId)).output.toolCalls.find(t => t.callId === interrupt.toolCallId);
  assert.deepEqual([call.approval.approved, call.approval.reason], [false, 'cancelled']);
});

test('a reloaded page connects to the waiting run: its snapshot and the interrupts, which it can then answer', async () => {
  const c = client();
  const { interrupt } = await untilInterrupt(c);

  // A new client on the thread, as after a reload: it has the conversation up to the question.
  class ResumingAgent extends HttpAgent {
    connect(input) {
      return transformHttpEventStream(runHttpRequest(() => this.fetch(`${this.url}/connect`, this.requestInit(input))));
    }
  }
  const wire = {};
  const question = c.agent.messages[0];
  const reloaded = new ResumingAgent({ url: `${base}/api/agents/analyst/ag-ui`, threadId: c.threadId, fetch: recordingFetch(wire), initialMessages: [question] });
  const runId = newId();
  const warnings = await warningsOf(() => reloaded.connectAgent({ runId }));
  const events = await wireEvents(wire);
  assert.deepEqual(warnings, []);

  assert.deepEqual(events.map(e => e.type), ['RUN_STARTED', 'MESSAGES_SNAPSHOT', 'RUN_FINISHED']);
  assert.deepEqual(events[0], { type: 'RUN_STARTED', threadId: c.threadId, runId });
  assert.deepEqual(events[2].outcome, { type: 'interrupt', interrupts: [interrupt] });
  assert.deepEqual(reloaded.pendingInterrupts, [interrupt]);
  const calls = reloaded.messages.flatMap(m => m.toolCalls ?? []);
  assert.ok(calls.some(t => t.id === interrupt.toolCallId && t.function.name === 'send_report'));

  reloaded.fetch = recordingFetch(wire);
  const answered = await reloaded.runAgent({ runId: newId(), resume: [{ interruptId: interrupt.id, status: 'resolved', payload: { approved: true } }] });
  const continued = await wireEvents(wire);
  assert.equal(continued.at(-1).type, 'RUN_FINISHED');
  assert.equal(JSON.parse(continued.find(e => e.type === 'TOOL_CALL_RESULT').content).sent, true);
  assert.ok(answered.newMessages.some(m => m.role === 'assistant' && /The report was sent/.test(m.content ?? '')));
  assert.deepEqual(reloaded.pendingInterrupts, []);
});

test('a resume that cannot be taken is a problem before any stream', async () => {
  const post = (body) => fetch(`${base}/api/agents/analyst/ag-ui`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ runId: newId(), messages: [], tools: [], context: [], state: {}, forwardedProps: {}, ...body }),
  });
  const problem = async (response, status) => {
    assert.equal(response.status, status);
    assert.match(response.headers.get('content-type'), /^application\/problem\+json/);
    return response.json();
  };

  // No run on the thread.
  await problem(await post({ threadId: newId(), resume: [{ interruptId: 'x', status: 'cancelled' }] }), 404);
  // Malformed answers.
  const bad = await problem(await post({ threadId: newId(), resume: [{ interruptId: 'x', status: 'resolved', payload: { approved: 'yes' } }] }), 400);
  assert.match(JSON.stringify(bad.errors), /approved: true or false/);
  await problem(await post({ threadId: newId(), resume: [{ interruptId: 'x', status: 'maybe' }] }), 400);

  const c = client();
  const { interrupt, runId } = await untilInterrupt(c);
  // An interrupt the run never asked for; then one of its interrupts left unanswered.
  const unknown = await problem(await post({ threadId: c.threadId, resume: [{ interruptId: 'nope', status: 'cancelled' }] }), 404);
  assert.equal(unknown.runId, runId);
  await problem(await post({ threadId: c.threadId, resume: [] , messages: [{ id: newId(), role: 'assistant', content: 'no user message' }] }), 400);
  // Another agent's thread is not this agent's to resume.
  const other = await fetch(`${base}/api/agents/writer/ag-ui`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ threadId: c.threadId, runId: newId(), messages: [], resume: [{ interruptId: interrupt.id, status: 'cancelled' }] }),
  });
  assert.equal(other.status, 404);
  assert.equal((await record(runId)).status, 'waiting');

  // Decided: the run goes on; answering again is a conflict, since it no longer waits.
  await continuation(c, interrupt, [{ interruptId: interrupt.id, status: 'resolved', payload: { approved: true } }]);
  const again = await problem(await post({ threadId: c.threadId, resume: [{ interruptId: interrupt.id, status: 'resolved', payload: { approved: true } }] }), 409);
  assert.equal(again.runId, runId);
});
