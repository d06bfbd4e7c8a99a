// Tool approval with the AI SDK's own Chat (the class under useChat): the analyst asks before it sends its report; the
// first response ends with the request, addToolApprovalResponse answers it, and sendAutomaticallyWhen posts again, whose
// response continues the same assistant message. Every chunk of every response is also checked against the schemas of
// ai 6.0.0, which refuse any key they do not know; ai 5.0.0, which knows no approvals, gets an error instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ai7 from 'ai';
import * as ai6 from 'ai-6';
import { DefaultChatTransport as OldestTransport, readUIMessageStream as readOldest } from 'ai-oldest';
import { base, chatState, chunksOf, newId, output, recording, textOf, until, user } from './lib.mjs';

const question = 'Analyze our 2024 sales and email the report to cfo@example.com';

/** A Chat of the given ai package outside React: its state in plain arrays, as the React and Vue bindings keep theirs. */
function newChat(sdk, exchanges, evaluations) {
  return new (class extends sdk.AbstractChat {})({
    id: newId(),
    state: chatState(),
    transport: new sdk.DefaultChatTransport({ api: `${base}/api/agents/analyst/chat`, fetch: recording(exchanges) }),
    sendAutomaticallyWhen: ({ messages }) => {
      const send = sdk.lastAssistantMessageIsCompleteWithApprovalResponses({ messages });
      evaluations.push(send);
      return send;
    },
  });
}

const findings = (message) => JSON.stringify(message.parts.filter(p => p.type === 'data-result').map(p => p.data.output));

/**
 * The whole exchange with one Chat: the question, the request (checked on the wire and in the message), the decision,
 * the continuation. Resolves with the one assistant message, the run's id and the two exchanges' chunks.
 */
async function decide(sdk, approved, reason) {
  const exchanges = [];
  const evaluations = [];
  const chat = newChat(sdk, exchanges, evaluations);

  await chat.sendMessage({ text: question });
  await until(() => chat.status === 'ready', 'the first response');
  assert.equal(chat.error, undefined);
  const first = await chunksOf(exchanges[0]);
  const runId = first[0].messageId;
  assert.equal(first[0].type, 'start');
  const call = first.find(c => c.type === 'tool-input-available' && c.toolName === 'send_report');
  const request = first.find(c => c.type === 'tool-approval-request');
  assert.deepEqual(Object.keys(request).sort(), ['approvalId', 'toolCallId', 'type']);
  assert.equal(request.toolCallId, call.toolCallId);
  assert.ok(first.indexOf(call) < first.indexOf(request), 'the call is announced before its request');
  assert.deepEqual(first.slice(-2).map(c => c.type), ['finish-step', 'finish']);
  assert.equal(first.at(-1).messageMetadata.status, 'waiting');
  assert.equal((await output(runId)).status, 'waiting', 'the run waits in the store');

  const asked = chat.messages.at(-1);
  assert.equal(asked.id, runId);
  const part = asked.parts.find(p => p.toolCallId === call.toolCallId);
  assert.equal(part.type, 'dynamic-tool');
  assert.equal(part.state, 'approval-requested');
  assert.equal(part.approval.id, request.approvalId);

  await chat.addToolApprovalResponse({ id: request.approvalId, approved, reason });
  // Settled: the continuation came, and the Chat, asked again whether to send, said no.
  await until(() => exchanges.length === 2 && chat.status === 'ready' && evaluations.at(-1) === false
    && chat.messages.at(-1).parts.some(p => p.type === 'text' && p.state === 'done'), 'the continuation');
  assert.equal(chat.error, undefined);
  assert.equal(exchanges.length, 2, 'one request for the decision, no more');

  const second = exchanges[1].body;
  assert.equal(second.trigger, 'submit-message');
  assert.equal(second.messageId, runId);
  const responded = second.messages.at(-1).parts.find(p => p.toolCallId === call.toolCallId);
  assert.equal(responded.state, 'approval-responded');
  assert.deepEqual(responded.approval, reason === undefined ? { id: request.approvalId, approved } : { id: request.approvalId, approved, reason });

  const continued = await chunksOf(exchanges[1]);
  assert.deepEqual(continued[0], { type: 'start', messageId: runId });
  assert.equal(continued[1].toolCallId, call.toolCallId);
  assert.equal(continued[2].type, 'start-step');
  assert.equal(continued.at(-1).type, 'finish');
  assert.equal(continued.at(-1).messageMetadata.status, 'completed');

  assert.deepEqual(chat.messages.map(m => m.role), ['user', 'assistant'], 'the continuation is the same message, not another');
  const message = chat.messages[1];
  assert.equal(message.id, runId);
  return { message, runId, call, request, continued, exchanges };
}

test('ai 7 Chat: the report is sent once approved, in the same assistant message', async () => {
  const { message, runId, call, request, continued, exchanges } = await decide(ai7, true);

  assert.equal(continued[1].type, 'tool-output-available');
  const part = message.parts.find(p => p.toolCallId === call.toolCallId);
  assert.equal(part.state, 'output-available');
  assert.equal(part.output.sent, true);
  assert.deepEqual(part.input, call.input, 'the call keeps its arguments');
  assert.equal(part.approval.approved, true);
  assert.equal(message.parts.filter(p => p.toolCallId === call.toolCallId).length, 1);
  assert.ok(message.parts.indexOf(part) < message.parts.findIndex(p => p.type === 'text'), 'the answer follows the call');
  assert.ok(textOf(message).length > 0);
  assert.match(findings(message), /The report was sent to cfo@example\.com/);
  assert.equal((await output(runId)).status, 'completed');

  // The decision stands: another one is 409, as problem details, before any part.
  const conflicting = structuredClone(exchanges[1].body);
  conflicting.messages.at(-1).parts.find(p => p.toolCallId === call.toolCallId).approval = { id: request.approvalId, approved: false };
  const response = await fetch(`${base}/api/agents/analyst/chat`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(conflicting),
  });
  assert.equal(response.status, 409);
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  assert.equal((await response.json()).approvalId, request.approvalId);
});

test('ai 7 Chat: a denied report is not sent, and the answer says so', async () => {
  const { message, call, continued } = await decide(ai7, false, 'not today');

  assert.deepEqual(continued[1], { type: 'tool-output-denied', toolCallId: call.toolCallId });
  const part = message.parts.find(p => p.toolCallId === call.toolCallId);
  assert.equal(part.state, 'output-denied');
  assert.deepEqual(part.approval, { id: part.approval.id, approved: false, reason: 'not today' });
  assert.match(findings(message), /The report was not sent to cfo@example\.com/);
});

test('ai 6.0.0 Chat, with its strict schemas: the same round trip', async () => {
  const { message, call } = await decide(ai6, true, 'looks right');

  const part = message.parts.find(p => p.toolCallId === call.toolCallId);
  assert.equal(part.state, 'output-available');
  assert.equal(part.output.sent, true);
});

test('ai 5.0.0, which knows no approvals: an error that says so, and the run is stopped', async () => {
  const stream = await new OldestTransport({ api: `${base}/api/agents/analyst/chat`, body: { approvals: false } }).sendMessages({
    chatId: newId(), trigger: 'submit-message', messageId: undefined, abortSignal: undefined, messages: [user(question)],
  });
  const [forMessage, forParts] = stream.tee();
  const parts = [];
  const reading = (async () => { for await (const part of forParts) parts.push(part); })();
  const error = await (async () => {
    for await (const _ of readOldest({ stream: forMessage, terminateOnError: true })) { /* the message so far */ }
  })().then(() => assert.fail('the stream should have ended with an error'), e => e);
  await reading;

  assert.equal(error.message, "Tool 'send_report' requires approval, which this client (AI SDK 5) does not support.");
  assert.ok(!parts.some(p => p.type.includes('approval')));
  const runId = parts[0].messageId;
  await until(async () => (await output(runId)).status === 'cancelled', 'the run to be stopped');
});
