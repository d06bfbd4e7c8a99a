// Resuming as useChat({ resume: true }) does: DefaultChatTransport.reconnectToStream, against a run whose first
// connection was cut mid-answer, and against chats with nothing going.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chat, chatAndCut, newId, read, transport, user, textOf } from './lib.mjs';

// The app paces its model at 100 tokens a second, which a client reads as they come, so the client cuts the answer
// while it is being written; it lets a run get only a few events ahead of a reader that left, so the cut run waits
// for its client to come back; and its inventory tool takes a while, so a run is certainly going while it runs.
const inventory = '/api/agents/inventory/chat';
const prompt = 'Check stock in Europe';

test('reconnectToStream replays a run cut mid-answer from its start and follows it to the end', async () => {
  const reference = await chat(inventory, [user(prompt)]); // the offline model answers a prompt the same way every time
  const chatId = newId();
  const before = await chatAndCut(inventory, chatId, prompt, { deltas: 5 });
  assert.ok(!before.some(p => p.type === 'text-end'), 'it was cut in the middle of the answer');

  const resumed = await transport(inventory).reconnectToStream({ chatId });
  assert.notEqual(resumed, null, 'the run is still going');
  const { message, parts } = await read(resumed);

  assert.equal(parts[0].type, 'start');
  assert.equal(message.id, before[0].messageId, 'the same run, so the same message');
  assert.deepEqual(message.parts.map(p => p.type), reference.message.parts.map(p => p.type));
  assert.equal(textOf(message), textOf(reference.message));
  assert.equal(message.metadata.status, 'completed');

  // Once the run has ended, there is nothing to resume.
  assert.equal(await transport(inventory).reconnectToStream({ chatId }), null);
});

test('reconnectToStream returns null for a chat that has no run', async () => {
  assert.equal(await transport('/api/chat').reconnectToStream({ chatId: newId() }), null);
  assert.equal(await transport('/api/agents/analyst/chat').reconnectToStream({ chatId: newId() }), null);
});

test('a chat is resumed under its own agent only', async () => {
  const chatId = newId();
  let elsewhere, here;
  const original = await chat(inventory, [user(prompt)], {
    chatId,
    onPart: async (part) => {
      if (part.type !== 'tool-input-available') return; // the tool is running: so is the run
      elsewhere = await transport('/api/chat').reconnectToStream({ chatId }); // the writer's path
      here = await transport(inventory).reconnectToStream({ chatId });
    },
  });

  assert.equal(elsewhere, null);
  assert.notEqual(here, null, 'the run was going');
  const resumed = await read(here);
  assert.equal(resumed.message.id, original.message.id);
  assert.deepEqual(resumed.message.parts, original.message.parts);
});
