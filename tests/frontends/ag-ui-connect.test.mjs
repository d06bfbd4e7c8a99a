// AG-UI's own client coming back to its thread: AbstractAgent.connectAgent() (which verifies the events' order and
// applies them to its messages, as runAgent does) through an HttpAgent whose connect() posts to our
// /api/agents/{agent}/ag-ui/connect. @ag-ui/client 1.0.0 leaves connect() to each agent; this one is written with the
// package's own HTTP helpers, as HttpAgent's run() is. Every event as it came over the wire is checked against the
// schemas of @ag-ui/core 1.0.0 and 0.0.59.
//
// The app keeps only 16 events behind a reader that left and lets a run get 64 events past it, and its model writes a
// long essay in seconds, so a run cut mid-answer is still going when its client comes back (even one that reads
// seconds behind the server), and its first events are no longer held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpAgent, runHttpRequest, transformHttpEventStream } from '@ag-ui/client';
import { base, newId, output, recordingFetch, warningsOf, wireEvents } from './lib.mjs';

/** An HttpAgent that can come back to its thread: connect() posts the RunAgentInput to the agent's …/connect. */
class ResumingAgent extends HttpAgent {
  connect(input) {
    if (this.abortController.signal.aborted) this.abortController = new AbortController(); // one per connection, as runAgent does
    return transformHttpEventStream(runHttpRequest(() => this.fetch(`${this.url}/connect`, this.requestInit(input))));
  }
}

const userMessage = (content) => ({ id: newId(), role: 'user', content });

const agentUrl = (name) => `${base}/api/agents/${name}/ag-ui`;

/**
 * Runs the agent on the thread and cuts the connection once it has applied `contents` pieces of the answer's text
 * (after the tool's result, when `afterTool`). Resolves with the agent, what it had of the answer and our run's id.
 */
async function runAndCut(agentName, threadId, question, { contents = 40, afterTool = false } = {}) {
  const agent = new ResumingAgent({ url: agentUrl(agentName), threadId, initialMessages: [question] });
  let pieces = 0;
  let toolReturned = !afterTool;
  let ours;
  await agent.runAgent({ runId: newId() }, {
    onToolCallResultEvent: () => { toolReturned = true; },
    onTextMessageStartEvent: ({ event }) => { ours ??= event.messageId.slice(0, event.messageId.lastIndexOf('-m')); },
    onTextMessageContentEvent: () => { if (toolReturned && ++pieces === contents) agent.abortRun(); },
  });
  assert.ok(pieces >= contents, 'the connection was cut in the middle of the answer');
  const answer = agent.messages.filter(m => m.role === 'assistant' && m.content).map(m => m.content).join('');
  return { agent, answer, ours };
}

/** Comes back to the thread with connectAgent, recording the wire; fails on any warning the client prints. */
async function connect(agent, runId = newId()) {
  const wire = {};
  agent.fetch = recordingFetch(wire);
  const before = agent.messages.map(m => m.id);
  let outcome;
  const warnings = await warningsOf(async () => { outcome = await agent.connectAgent({ runId }); });
  const events = await wireEvents(wire);
  assert.deepEqual(warnings, []);
  return { events, outcome, runId, before };
}

const ofRun = (messages, ours) => messages.filter(m => m.id.startsWith(`${ours}-`));

test('a reloaded page resumes a long answer from MESSAGES_SNAPSHOT, with the text so far, and follows it to the end', async () => {
  const threadId = newId();
  const question = userMessage('Write a long essay about harbours');
  const { answer: shown, ours } = await runAndCut('writer', threadId, question);

  // The page reloads: a new client on the same thread, which kept the user's question only.
  const page = new ResumingAgent({ url: agentUrl('writer'), threadId, initialMessages: [question] });
  const { events, outcome, runId } = await connect(page);
  const answer = await output(ours);

  assert.deepEqual(events[0], { type: 'RUN_STARTED', threadId, runId });
  assert.equal(events[1].type, 'MESSAGES_SNAPSHOT');
  assert.deepEqual(events[1].messages[0], question, "the client's own messages are echoed");
  const soFar = events[1].messages.find(m => m.role === 'assistant');
  assert.ok(soFar.content.startsWith(shown) && shown.length > 0, 'the snapshot has the text so far, at least what the page had shown');
  assert.equal(events.at(-1).type, 'RUN_FINISHED');
  assert.deepEqual([events.at(-1).threadId, events.at(-1).runId], [threadId, runId]);
  assert.equal(answer.status, 'completed');
  assert.deepEqual(page.messages.map(m => m.role), ['user', 'reasoning', 'assistant']);
  assert.equal(page.messages[2].id, soFar.id, 'the text after the snapshot went on in its message');
  assert.equal(page.messages[2].content, answer.text);
  assert.equal(page.messages[1].content, answer.reasoning);
  assert.deepEqual(outcome.newMessages.map(m => m.role), ['reasoning', 'assistant']);

  // Once the run has ended, there is nothing to resume: an empty stream, and the messages stay as they are.
  const again = await connect(page);
  assert.deepEqual(again.events, []);
  assert.deepEqual(again.outcome.newMessages, []);
  assert.equal(page.messages[2].content, answer.text);
});

test('a client that kept its copy of the run has it replaced, not doubled', async () => {
  const threadId = newId();
  const { agent, answer: shown, ours } = await runAndCut('writer', threadId, userMessage('Write a long essay about lighthouses'));
  assert.deepEqual(ofRun(agent.messages, ours).map(m => m.role), ['reasoning', 'assistant']);

  const { events } = await connect(agent);
  const answer = await output(ours);

  assert.ok(events[1].messages.find(m => m.role === 'assistant').content.startsWith(shown));
  assert.deepEqual(agent.messages.map(m => m.role), ['user', 'reasoning', 'assistant']);
  assert.equal(agent.messages[2].content, answer.text);
  assert.equal(agent.messages[1].content, answer.reasoning);
});

test("a run's tool call and result come back in the snapshot, and the answer after them in the next turn's message", async () => {
  const threadId = newId();
  const question = userMessage('Write a long essay about stock in Europe');
  const { ours } = await runAndCut('inventory', threadId, question, { contents: 20, afterTool: true });

  const page = new ResumingAgent({ url: agentUrl('inventory'), threadId, initialMessages: [question] });
  const { events } = await connect(page);
  const answer = await output(ours);

  assert.deepEqual(events[1].messages.map(m => m.role), ['user', 'reasoning', 'assistant', 'tool', 'assistant']);
  assert.equal(events.at(-1).type, 'RUN_FINISHED');
  const [, , call, result, text] = page.messages;
  assert.deepEqual(page.messages.map(m => m.role), ['user', 'reasoning', 'assistant', 'tool', 'assistant']);
  assert.deepEqual(call.toolCalls.map(c => [c.id, c.function.name, JSON.parse(c.function.arguments)]),
    answer.toolCalls.map(c => [c.callId, c.name, c.arguments]));
  assert.equal(result.toolCallId, call.toolCalls[0].id);
  assert.deepEqual(JSON.parse(result.content), answer.toolCalls[0].result);
  assert.equal(text.content, answer.text);
});

test('a thread with no run going, or whose run is another agent\'s, gives no events and leaves the messages as they are', async () => {
  const messages = [userMessage('Explain tides'), { id: newId(), role: 'assistant', content: 'Tides are the rise and fall of the sea.' }];
  const stranger = new ResumingAgent({ url: agentUrl('writer'), threadId: newId(), initialMessages: messages });
  const nothing = await connect(stranger);
  assert.deepEqual(nothing.events, []);
  assert.deepEqual(nothing.outcome.newMessages, []);
  assert.deepEqual(stranger.messages, messages);

  // The inventory agent's run, cut mid-answer, is going on this thread; the writer has nothing to resume there.
  const threadId = newId();
  const { agent, ours } = await runAndCut('inventory', threadId, userMessage('Write a long essay about stock in Asia'), { contents: 1 });
  const elsewhere = new ResumingAgent({ url: agentUrl('writer'), threadId, initialMessages: [] });
  assert.deepEqual((await connect(elsewhere)).events, []);
  const here = await connect(agent); // and the inventory's own client still resumes it
  assert.equal(here.events.at(-1).type, 'RUN_FINISHED');
  assert.equal((await output(ours)).status, 'completed');
});
