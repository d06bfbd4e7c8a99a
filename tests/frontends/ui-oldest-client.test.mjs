// The same streams read by ai 5.0.0, the oldest client of the UI message stream protocol v1: its schemas refuse any
// part type or field they do not know, so this proves we send only what every maintained version accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultChatTransport, readUIMessageStream } from 'ai-oldest';
import { base, newId, user } from './lib.mjs';

async function chat(path, messages, body, onPart = async () => {}) {
  const stream = await new DefaultChatTransport({ api: `${base}${path}`, body }).sendMessages({
    chatId: newId(), trigger: 'submit-message', messageId: undefined, abortSignal: undefined, messages,
  });
  const [forMessage, forParts] = stream.tee();
  const parts = [];
  const reading = (async () => { for await (const part of forParts) { parts.push(part); await onPart(part, parts); } })();
  let message;
  try {
    for await (const m of readUIMessageStream({ stream: forMessage, terminateOnError: true })) message = m;
  } finally {
    await reading;
  }
  return { message, parts };
}

test('ai 5.0.0 reads the analyst: reasoning, tools, text, the result and the metadata', async () => {
  const { message, parts } = await chat('/api/agents/analyst/chat', [user('Analyze our 2024 sales')], { every: 25 });

  assert.equal(message.parts.filter(p => p.type === 'dynamic-tool' && p.state === 'output-available').length, 4);
  assert.ok(message.parts.some(p => p.type === 'reasoning' && p.text.length > 0));
  assert.ok(message.parts.some(p => p.type === 'text' && p.text.length > 0));
  assert.equal(message.parts.filter(p => p.type === 'data-result' && p.data.final).length, 1);
  assert.ok(parts.some(p => p.type === 'data-progress'));
  assert.equal(message.metadata.status, 'completed');
  assert.equal(parts.at(-1).type, 'finish');
});

test('ai 5.0.0 reads a failed tool and the error', async () => {
  const error = await chat('/api/agents/inventory/chat', [user('Check stock in Europe')], { fail: true })
    .then(() => assert.fail('the stream should have ended with an error'), e => e);
  assert.match(error.message, /^A tool failed: /);
});

test('ai 5.0.0 reads a cancelled run to its abort', async () => {
  const { message, parts } = await chat('/api/chat', [user('Write a long essay about harbours')], { maxSeconds: 1 });
  assert.equal(parts.at(-1).type, 'abort');
  assert.equal(message.metadata.status, 'cancelled');
});
