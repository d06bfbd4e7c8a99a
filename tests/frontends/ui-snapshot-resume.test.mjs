// Resuming as useChat({ resume: true }) does (DefaultChatTransport.reconnectToStream) a chat whose run's first events
// are no longer held: the stream starts from the run's snapshot, the message's parts so far, and goes on live.
//
// The app keeps only 16 events behind a reader that left and lets a run get 64 events past it, and its model writes a
// long essay in seconds, so a run cut mid-answer is still going when its client comes back (even one that reads
// seconds behind the server), and its first events are no longer held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultChatTransport as OldestTransport, readUIMessageStream as readOldest } from 'ai-oldest';
import { base, chatAndCut, newId, output, read, textOf, transport, user } from './lib.mjs';

const textOfParts = (parts) => parts.filter(p => p.type === 'text-delta').map(p => p.delta).join('');

test('a long chat resumed after its first events were let go starts with the text so far and ends with the whole answer', async () => {
  const chatId = newId();
  const before = await chatAndCut('/api/chat', chatId, 'Write a long essay about harbours');
  const shown = textOfParts(before);
  const runId = before[0].messageId;

  // ai 5.0.0, the oldest client, resumes first: its schemas take every part of the snapshot. It reads a little, then leaves.
  const oldest = (await new OldestTransport({ api: `${base}/api/chat` }).reconnectToStream({ chatId })).getReader();
  const early = [];
  while (early.filter(p => p.type === 'text-delta').length < 5) {
    const { done, value } = await oldest.read();
    assert.ok(!done, 'the run goes on');
    early.push(value);
  }
  await oldest.cancel();
  assert.deepEqual(early.slice(0, 7).map(p => p.type), ['start', 'start-step', 'reasoning-start', 'reasoning-delta', 'reasoning-end', 'text-start', 'text-delta']);
  let partial;
  for await (const m of readOldest({ stream: ReadableStream.from(early) })) partial = m;
  assert.equal(partial.id, runId);
  assert.ok(textOf(partial).startsWith(shown));

  // Then ai 7 resumes it to the end.
  const { message, parts } = await read(await transport('/api/chat').reconnectToStream({ chatId }));
  const answer = await output(runId);

  assert.deepEqual(parts[0], { type: 'start', messageId: runId, messageMetadata: { agent: 'writer', model: parts[0].messageMetadata.model } });
  const first = parts.find(p => p.type === 'text-delta');
  assert.ok(first.delta.startsWith(shown) && first.delta.length > shown.length / 2, 'the first delta is the text so far');
  assert.equal(message.id, runId, 'the same run, so the same message');
  assert.deepEqual(message.parts.map(p => p.type), ['step-start', 'reasoning', 'text'], 'the text after the snapshot goes on in its part');
  assert.equal(textOf(message), answer.text);
  assert.equal(message.parts[1].text, answer.reasoning);
  assert.equal(message.metadata.status, 'completed');
  assert.equal(message.metadata.agent, 'writer');

  // Once the run has ended, there is nothing to resume.
  assert.equal(await transport('/api/chat').reconnectToStream({ chatId }), null);
});

test("a resumed chat's snapshot has the tool call with its output, and the answer after it in the next step", async () => {
  const chatId = newId();
  const path = '/api/agents/inventory/chat';
  const before = await chatAndCut(path, chatId, 'Write a long essay about stock in Europe', { deltas: 20, afterTool: true });
  const runId = before[0].messageId;

  const { message, parts } = await read(await transport(path).reconnectToStream({ chatId }));
  const answer = await output(runId);

  assert.deepEqual(parts.slice(0, 11).map(p => p.type), ['start', 'start-step', 'reasoning-start', 'reasoning-delta', 'reasoning-end',
    'tool-input-available', 'tool-output-available', 'finish-step', 'start-step', 'text-start', 'text-delta']);
  assert.deepEqual(message.parts.map(p => p.type), ['step-start', 'reasoning', 'dynamic-tool', 'step-start', 'text']);
  const tool = message.parts[2];
  assert.deepEqual([tool.toolCallId, tool.toolName, tool.state, tool.input, tool.output],
    [answer.toolCalls[0].callId, 'check_inventory', 'output-available', answer.toolCalls[0].arguments, answer.toolCalls[0].result]);
  assert.deepEqual(tool.output, before.find(p => p.type === 'tool-output-available').output);
  assert.equal(textOf(message), answer.text);
  assert.equal(message.metadata.status, 'completed');
});
