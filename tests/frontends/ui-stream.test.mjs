// The Vercel AI SDK's own client against our UI message stream endpoints: DefaultChatTransport.sendMessages, read
// with readUIMessageStream({ terminateOnError: true }), which rejects on any part the SDK does not accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base, chat, newId, user, assistant, tokens, textOf, reasoningOf, assertClosed } from './lib.mjs';

test('the writer at /api/chat answers with its reasoning and its text, usage in the metadata', async () => {
  const { message, parts } = await chat('/api/chat', [user('Explain server-sent events')]);

  assert.equal(parts[0].type, 'start');
  assert.match(parts[0].messageId, /^[0-9a-f]{16}$/);
  assert.equal(message.id, parts[0].messageId);
  assert.equal(message.role, 'assistant');
  assert.equal(parts.at(-1).type, 'finish');
  assert.ok(textOf(message).startsWith('# Explain server-sent events'), textOf(message).slice(0, 80));
  assert.ok(reasoningOf(message).startsWith('The request is about server-sent events.'), reasoningOf(message));
  assert.ok(message.parts.filter(p => p.type === 'text' || p.type === 'reasoning').every(p => p.state === 'done'));
  assert.equal(message.metadata.agent, 'writer');
  assert.equal(message.metadata.status, 'completed');
  assert.ok(message.metadata.usage.inputTokens > 0 && message.metadata.usage.outputTokens > 0, JSON.stringify(message.metadata));
});

test('the analyst: reasoning, its three tools with their outputs, text and the structured result', async () => {
  const { message, parts } = await chat('/api/agents/analyst/chat', [user('Analyze our 2024 sales')]);

  const tools = message.parts.filter(p => p.type === 'dynamic-tool');
  assert.deepEqual([...new Set(tools.map(t => t.toolName))].sort(), ['calculate_growth', 'fetch_customer_data', 'fetch_sales_data']);
  assert.equal(tools.length, 4); // sales for two years, customers, then growth
  for (const tool of tools) {
    assert.equal(tool.state, 'output-available', JSON.stringify(tool));
    assert.equal(typeof tool.output, 'object');
  }
  const growth = tools.find(t => t.toolName === 'calculate_growth');
  const sales = tools.filter(t => t.toolName === 'fetch_sales_data').map(t => t.output.total).sort((a, b) => a - b);
  assert.deepEqual([growth.input.previous, growth.input.current], sales);
  assert.ok(message.parts.filter(p => p.type === 'reasoning').length >= 3);
  assert.ok(textOf(message).includes('## What the data shows'), textOf(message).slice(0, 200));
  assert.ok(message.parts.filter(p => p.type === 'step-start').length >= 3);
  const results = message.parts.filter(p => p.type === 'data-result');
  assert.equal(results.length, 1, 'the result part is replaced in place');
  assert.equal(results[0].data.final, true);
  assert.ok(results[0].data.output.summary.length >= 20);
  assert.ok(parts.filter(p => p.type === 'data-result').length > 1, 'partial results came first');
  assert.equal(message.metadata.status, 'completed');
});

test('a tool that fails: tool-output-error, then the error part ends the read', async () => {
  const error = await chat('/api/agents/inventory/chat', [user('Check stock in Europe')], { body: { fail: true } })
    .then(() => assert.fail('the stream should have ended with an error'), e => e);

  assert.match(error.message, /^A tool failed: The tool 'check_inventory' failed/);
  const failed = error.parts.find(p => p.type === 'tool-output-error');
  assert.ok(failed && failed.dynamic === true, JSON.stringify(error.parts.slice(-6)));
  assert.deepEqual(error.parts.slice(-3).map(p => p.type), ['error', 'finish-step', 'finish']);
});

test('a run cut by its time limit ends with abort, its metadata saying why; the message id is the run id', async () => {
  const chatId = newId();
  const { message, parts } = await chat('/api/chat', [user('Write a long essay about harbours')], { chatId, body: { maxSeconds: 1 } });

  assert.deepEqual(parts.slice(-3).map(p => p.type), ['finish-step', 'message-metadata', 'abort']);
  assertClosed(parts);
  assert.equal(message.metadata.status, 'cancelled');
  assert.equal(message.metadata.reason, 'time-limit');
  assert.ok(textOf(message).length > 0);
  // The message's id is the run's id: the run is a resource like any other.
  const run = await (await fetch(`${base}/runs/${message.id}`)).json();
  assert.deepEqual([run.status, run.reason, run.endpoint, run.threadId], ['cancelled', 'time-limit', 'chat', chatId]);
});

test('progress figures are transient data parts: seen by the stream, kept out of the message', async () => {
  const { message, parts } = await chat('/api/chat', [user('Explain queues')], { body: { every: 10 } });

  const progress = parts.filter(p => p.type === 'data-progress');
  assert.ok(progress.length >= 2);
  assert.ok(progress.every(p => p.transient === true && p.data.chunks > 0));
  assert.equal(message.parts.filter(p => p.type === 'data-progress').length, 0);
});

test('the whole conversation reaches the model', async () => {
  const earlier = ['Explain tides', 'Tides are the rise and fall of the sea, twice a day.'];
  const alone = await chat('/api/chat', [user('Explain queues')]);
  const inConversation = await chat('/api/chat', [user(earlier[0]), assistant(earlier[1]), user('Explain queues')]);

  // The latest user message is the one answered...
  assert.ok(textOf(inConversation.message).startsWith('# Explain queues'), textOf(inConversation.message).slice(0, 80));
  assert.equal(textOf(inConversation.message), textOf(alone.message));
  // ...the earlier ones are recalled...
  assert.ok(reasoningOf(inConversation.message).startsWith('Earlier in this conversation: tides. '), reasoningOf(inConversation.message));
  assert.ok(!reasoningOf(alone.message).includes('Earlier'));
  // ...and every earlier message was counted as input, token for token.
  assert.equal(inConversation.message.metadata.usage.inputTokens - alone.message.metadata.usage.inputTokens,
    tokens(earlier[0]) + tokens(earlier[1]));
});

test('bad input is refused before any stream, as the client reports it', async () => {
  const empty = await chat('/api/chat', []).then(() => assert.fail('an empty conversation is refused'), e => e);
  assert.equal(empty.statusCode, 400);
  assert.match(empty.responseBody, /must end with a user message/);

  const unknown = await chat('/api/agents/poet/chat', [user('hi')]).then(() => assert.fail('an unknown agent is refused'), e => e);
  assert.equal(unknown.statusCode, 404);
  assert.match(unknown.responseBody, /There is no agent 'poet'/);
});
