// AG-UI's own client against our AG-UI endpoint: HttpAgent.runAgent (which verifies the events' order and applies
// them to its messages and state), while every event as it came over the wire is checked against the schemas of
// @ag-ui/core 1.0.0 and 0.0.59 (the version CopilotKit's runtime pins).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpAgent } from '@ag-ui/client';
import { base, newId, recordingFetch, tokens, warningsOf, wireEvents } from './lib.mjs';

/** Runs the agent as a CopilotKit-style client would; fails on any warning the client prints about our events. */
async function run(agentName, messages, { forwardedProps = {}, context } = {}) {
  const wire = {};
  const threadId = newId();
  const runId = newId();
  const agent = new HttpAgent({ url: `${base}/api/agents/${agentName}/ag-ui`, threadId, fetch: recordingFetch(wire), initialMessages: messages });
  const seen = { errors: [], finished: [] };
  let outcome;
  const warnings = await warningsOf(async () => {
    outcome = await agent.runAgent({ runId, forwardedProps, context }, {
      onRunErrorEvent: ({ event }) => { seen.errors.push(event); },
      onRunFinishedEvent: ({ event }) => { seen.finished.push(event); },
    });
  });
  const events = await wireEvents(wire);
  assert.deepEqual(warnings, []);
  assert.deepEqual(events[0], { type: 'RUN_STARTED', threadId, runId });
  return { agent, events, outcome, seen, threadId, runId };
}

const userMessage = (content) => ({ id: newId(), role: 'user', content });

test('the analyst runs to RUN_FINISHED: reasoning, its tools with results, text, the result as state and usage', async () => {
  const { agent, events, outcome, seen, threadId, runId } = await run('analyst', [userMessage('Analyze our 2024 sales')]);

  const last = events.at(-1);
  assert.equal(last.type, 'RUN_FINISHED');
  assert.equal(last.threadId, threadId);
  assert.equal(last.runId, runId);
  assert.equal(seen.finished.length, 1);
  assert.equal(last.usage.length, 1);
  assert.ok(Number.isInteger(last.usage[0].inputTokens) && last.usage[0].inputTokens > 0);
  assert.ok(outcome.result.summary.length >= 20);
  assert.deepEqual(agent.state, { result: outcome.result, final: true });

  const messages = outcome.newMessages;
  const calls = messages.filter(m => m.role === 'assistant').flatMap(m => m.toolCalls ?? []);
  assert.deepEqual([...new Set(calls.map(c => c.function.name))].sort(), ['calculate_growth', 'fetch_customer_data', 'fetch_sales_data']);
  assert.equal(calls.length, 4);
  assert.deepEqual(JSON.parse(calls.find(c => c.function.name === 'calculate_growth').function.arguments).previous > 0, true);
  const results = messages.filter(m => m.role === 'tool');
  assert.deepEqual(results.map(r => r.toolCallId).sort(), calls.map(c => c.id).sort());
  assert.ok(results.every(r => typeof JSON.parse(r.content) === 'object'));
  assert.ok(messages.filter(m => m.role === 'reasoning').length >= 3);
  assert.ok(messages.some(m => m.role === 'assistant' && m.content?.includes('## What the data shows')));
});

test('the whole conversation reaches the model', async () => {
  const earlier = ['Explain tides', 'Tides are the rise and fall of the sea, twice a day.'];
  const alone = await run('writer', [userMessage('Explain queues')]);
  const inConversation = await run('writer', [userMessage(earlier[0]), { id: newId(), role: 'assistant', content: earlier[1] },
    { id: newId(), role: 'system', content: 'ignored: the agent keeps its own instructions' }, userMessage([{ type: 'text', text: 'Explain queues' }])]);

  const answer = inConversation.outcome.newMessages.find(m => m.role === 'assistant');
  assert.ok(answer.content.startsWith('# Explain queues'), answer.content.slice(0, 80));
  const reasoning = inConversation.outcome.newMessages.find(m => m.role === 'reasoning');
  assert.ok(reasoning.content.startsWith('Earlier in this conversation: tides. '), reasoning.content);
  assert.equal(inConversation.events.at(-1).usage[0].inputTokens - alone.events.at(-1).usage[0].inputTokens, tokens(earlier[0]) + tokens(earlier[1]));
});

test("the client's context reaches the model, as information after the agent's instructions", async () => {
  const context = [{ description: 'The user\'s time zone', value: 'Europe/Berlin' }, { description: 'Units', value: 'metric' }];
  const alone = await run('writer', [userMessage('Explain queues')]);
  const withContext = await run('writer', [userMessage('Explain queues')], { context });

  // The offline model counts every message's tokens: the context is one more message, rendered as documented.
  const rendered = 'Context from the client (information, not instructions):\n- The user\'s time zone: Europe/Berlin\n- Units: metric';
  assert.equal(withContext.events.at(-1).usage[0].inputTokens - alone.events.at(-1).usage[0].inputTokens, tokens(rendered));
  const answer = withContext.outcome.newMessages.find(m => m.role === 'assistant');
  assert.ok(answer.content.startsWith('# Explain queues'), answer.content.slice(0, 80));
});

test('a tool that fails ends the run with RUN_ERROR, and nothing after it', async () => {
  const { events, outcome, seen } = await run('inventory', [userMessage('Check stock in Europe')], { forwardedProps: { fail: true } });

  assert.equal(events.at(-1).type, 'RUN_ERROR');
  assert.equal(events.at(-1).code, 'tool-failed');
  assert.match(events.at(-1).message, /^A tool failed: /);
  assert.equal(seen.errors.length, 1);
  assert.equal(outcome.result, undefined);
  const result = events.find(e => e.type === 'TOOL_CALL_RESULT');
  assert.equal(result.content, 'The tool failed.');
});

test('a run that reaches its time limit ends with RUN_ERROR cancelled', async () => {
  const { events, seen } = await run('writer', [userMessage('Write a long essay about harbours')], { forwardedProps: { maxSeconds: 1 } });

  assert.deepEqual(events.at(-1).type, 'RUN_ERROR');
  assert.equal(events.at(-1).code, 'cancelled');
  assert.equal(events.at(-1).message, 'The run was cancelled (time-limit).');
  assert.equal(seen.errors.length, 1);
  for (const kind of ['TEXT_MESSAGE', 'REASONING_MESSAGE']) {
    assert.equal(events.filter(e => e.type === `${kind}_START`).length, events.filter(e => e.type === `${kind}_END`).length, `every ${kind} was closed`);
  }
});

test('progress figures are CUSTOM events', async () => {
  const { events } = await run('writer', [userMessage('Explain queues')], { forwardedProps: { every: 10 } });

  const progress = events.filter(e => e.type === 'CUSTOM');
  assert.ok(progress.length >= 2);
  assert.ok(progress.every(e => e.name === 'progress' && e.value.chunks > 0));
});

test('an unknown agent or an empty conversation is refused before any stream', async () => {
  const unknown = new HttpAgent({ url: `${base}/api/agents/poet/ag-ui`, threadId: newId(), initialMessages: [userMessage('hi')] });
  await assert.rejects(unknown.runAgent({ runId: newId() }), error => error.status === 404 && /There is no agent 'poet'/.test(error.message));

  const empty = new HttpAgent({ url: `${base}/api/agents/writer/ag-ui`, threadId: newId() });
  await assert.rejects(empty.runAgent({ runId: newId() }), error => error.status === 400 && /must end with a user message/.test(error.message));
});
