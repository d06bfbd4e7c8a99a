// Tools the client runs itself, with the frontends' own clients. The AI SDK's Chat (ai 7; ai 6.0.0) offers get_weather
// in its request body's tools; the call ends the first response (tool-input-available, then finish with status
// waiting), onToolCall runs the tool and addToolOutput gives its output, and sendAutomaticallyWhen posts again: that
// response continues the same assistant message with the model's answer (the analyst's, after its own tools). Every
// chunk is checked against ai 6.0.0's strict schemas. AG-UI's HttpAgent offers it in runAgent's tools; the call ends the first run (TOOL_CALL_*, then
// RUN_FINISHED with no outcome), the client adds the tool message and runs again: the same run of ours goes on. Every
// event is checked against the schemas of @ag-ui/core 1.0.0 and 0.0.59.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ai7 from 'ai';
import * as ai6 from 'ai-6';
import { HttpAgent } from '@ag-ui/client';
import { base, chatState, chunksOf, newId, output, recording, recordingFetch, textOf, until, warningsOf, wireEvents } from './lib.mjs';

const question = 'Use get_weather for "Lisbon" and tell me what to wear';

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city, where the user is',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

/** The tool as the client runs it: the weather it reads where the user is. */
const weatherIn = (city) => ({ city, tempC: 31, sky: 'sunny' });

/** What the offline model says of a client tool's JSON result. */
const told = (result) => `The get_weather tool answered ${JSON.stringify(result)}`;

/**
 * A Chat of the given ai package outside React that offers get_weather in its body and, asked to call it, runs it as
 * `run` says (its output, or an error; at once, or later when `run` returns a promise): addToolOutput, not awaited, as
 * the AI SDK tells onToolCall to do.
 */
function newChat(sdk, exchanges, evaluations, run) {
  const chat = new (class extends sdk.AbstractChat {})({
    id: newId(),
    state: chatState(),
    transport: new sdk.DefaultChatTransport({ api: `${base}/api/chat`, body: { tools: [weatherTool] }, fetch: recording(exchanges) }),
    onToolCall: ({ toolCall }) => {
      if (toolCall.toolName !== weatherTool.name) return;
      const answer = (result) => chat.addToolOutput(result.error === undefined
        ? { tool: toolCall.toolName, toolCallId: toolCall.toolCallId, output: result.output }
        : { state: 'output-error', tool: toolCall.toolName, toolCallId: toolCall.toolCallId, errorText: result.error });
      const result = run(toolCall.input, chat);
      if (result instanceof Promise) result.then(answer);
      else answer(result);
    },
    sendAutomaticallyWhen: ({ messages }) => {
      const send = sdk.lastAssistantMessageIsCompleteWithToolCalls({ messages });
      evaluations.push(send);
      return send;
    },
  });
  return chat;
}

/**
 * The whole exchange with one Chat: the question, the call (checked on the wire), the client's output posted by
 * sendAutomaticallyWhen, the continuation. Resolves with the one assistant message, the run's id, the call and the
 * exchanges.
 */
async function askWeather(sdk, run) {
  const exchanges = [];
  const evaluations = [];
  const chat = newChat(sdk, exchanges, evaluations, run);

  await chat.sendMessage({ text: question });
  // Settled: the continuation came, and the Chat, asked again whether to send, said no.
  await until(() => exchanges.length >= 2 && chat.status === 'ready' && evaluations.at(-1) === false
    && chat.messages.at(-1).parts.some(p => p.type === 'text' && p.state === 'done'), 'the continuation');
  assert.equal(chat.error, undefined);
  assert.equal(exchanges.length, 2, 'one request for the question, one for the output, no more');

  // The first response: the call, then the end of the response while the run waits.
  assert.deepEqual(exchanges[0].body.tools, [weatherTool]);
  const first = await chunksOf(exchanges[0]);
  assert.equal(first[0].type, 'start');
  const runId = first[0].messageId;
  const calls = first.filter(c => c.type === 'tool-input-available');
  assert.equal(calls.length, 1);
  const [call] = calls;
  assert.deepEqual([call.toolName, call.dynamic, call.input], ['get_weather', true, { city: 'Lisbon' }]);
  assert.ok(!first.some(c => c.type === 'tool-output-available' || c.type === 'tool-output-error'));
  assert.deepEqual(first.slice(-3).map(c => c.type), ['tool-input-available', 'finish-step', 'finish']);
  assert.equal(first.at(-1).messageMetadata.status, 'waiting');

  // The second request: the same message, its tool part given the client's result, and the tools again.
  const second = exchanges[1].body;
  assert.equal(second.trigger, 'submit-message');
  assert.equal(second.messageId, runId);
  assert.deepEqual(second.tools, [weatherTool]);
  assert.equal(second.messages.at(-1).id, runId);
  const given = second.messages.at(-1).parts.find(p => p.toolCallId === call.toolCallId);
  assert.equal(given.type, 'dynamic-tool');

  // The continuation: the same message goes on in a new step; the call and its output are the client's already.
  const continued = await chunksOf(exchanges[1]);
  assert.deepEqual(continued[0], { type: 'start', messageId: runId });
  assert.equal(continued[1].type, 'start-step');
  assert.ok(!continued.some(c => c.type.startsWith('tool-')), 'nothing about the call is told back');
  assert.ok(continued.some(c => c.type === 'text-delta'));
  assert.deepEqual(continued.slice(-2).map(c => c.type), ['finish-step', 'finish']);
  assert.equal(continued.at(-1).messageMetadata.status, 'completed');

  assert.deepEqual(chat.messages.map(m => m.role), ['user', 'assistant'], 'the continuation is the same message, not another');
  const message = chat.messages[1];
  assert.equal(message.id, runId);
  const parts = message.parts.filter(p => p.toolCallId === call.toolCallId);
  assert.equal(parts.length, 1, 'the call is one part');
  assert.deepEqual(parts[0].input, { city: 'Lisbon' });
  assert.ok(message.parts.indexOf(parts[0]) < message.parts.findIndex(p => p.type === 'text'), 'the answer follows the call');
  return { message, part: parts[0], given, runId, call };
}

/** The run's status in its record (GET /runs/{runId}). */
async function statusOf(runId) {
  const response = await fetch(`${base}/runs/${runId}`);
  assert.equal(response.status, 200);
  return (await response.json()).status;
}

/** The run as GET /runs/{runId} has it: completed, its one call the client's, with the result it gave. */
async function assertCompletedWith(runId, callId, result) {
  const done = await output(runId);
  assert.equal(done.status, 'completed');
  const [call, ...others] = done.toolCalls;
  assert.deepEqual(others, []);
  assert.deepEqual([call.callId, call.name, call.client], [callId, 'get_weather', true]);
  assert.deepEqual(call.result, result);
}

test('ai 7 Chat: onToolCall runs the tool, addToolOutput answers it, and the answer goes on in the same message', async () => {
  const { message, part, given, runId, call } = await askWeather(ai7, input => ({ output: weatherIn(input.city) }));

  const weather = weatherIn('Lisbon');
  assert.deepEqual([given.state, given.output], ['output-available', weather]);
  assert.deepEqual([part.state, part.output], ['output-available', weather]);
  assert.ok(textOf(message).includes(told(weather)), textOf(message));
  await assertCompletedWith(runId, call.toolCallId, weather);
});

test('ai 7 Chat: a tool that fails on the client gives output-error, and the model is told its error', async () => {
  const { message, part, given, runId, call } = await askWeather(ai7, () => ({ error: 'No weather service where you are' }));

  assert.deepEqual([given.state, given.errorText], ['output-error', 'No weather service where you are']);
  assert.deepEqual([part.state, part.errorText], ['output-error', 'No weather service where you are']);
  const error = { error: 'No weather service where you are' };
  assert.ok(textOf(message).includes(told(error)), textOf(message));
  await assertCompletedWith(runId, call.toolCallId, error);
});

test('ai 6.0.0 Chat, with its strict schemas: the same round trip, with a tool that answers once the run waits', async () => {
  let waited = false;
  const { message, part } = await askWeather(ai6, async (input, chat) => {
    // The first response has ended (the Chat is ready again) and the run waits in the store for the client.
    await until(async () => chat.status === 'ready' && await statusOf(chat.messages.at(-1).id) === 'waiting', 'the run to wait');
    waited = true;
    return { output: weatherIn(input.city) };
  });

  assert.ok(waited);
  assert.deepEqual([part.state, part.output], ['output-available', weatherIn('Lisbon')]);
  assert.ok(textOf(message).includes(told(weatherIn('Lisbon'))), textOf(message));
});

test("ai 7 Chat: after the client's result, the analyst runs its own tools in the same message, and the Chat does not post again", async () => {
  const regionTool = { name: 'get_region', description: 'The region the user works in', parameters: { type: 'object', properties: { region: { type: 'string' } } } };
  const exchanges = [];
  const evaluations = [];
  const asked = [];
  const chat = new (class extends ai7.AbstractChat {})({
    id: newId(),
    state: chatState(),
    transport: new ai7.DefaultChatTransport({ api: `${base}/api/agents/analyst/chat`, body: { tools: [regionTool] }, fetch: recording(exchanges) }),
    // Called for every call without providerExecuted, the agent's own too: only the client's tool is run here.
    onToolCall: ({ toolCall }) => {
      asked.push(toolCall.toolName);
      if (toolCall.toolName === regionTool.name) chat.addToolOutput({ tool: regionTool.name, toolCallId: toolCall.toolCallId, output: { region: 'Europe' } });
    },
    sendAutomaticallyWhen: ({ messages }) => {
      const send = ai7.lastAssistantMessageIsCompleteWithToolCalls({ messages });
      evaluations.push(send);
      return send;
    },
  });

  await chat.sendMessage({ text: 'Use get_region for "Europe" and analyze our 2024 sales' });
  await until(() => exchanges.length >= 2 && chat.status === 'ready' && evaluations.at(-1) === false
    && chat.messages.at(-1).parts.some(p => p.type === 'data-result' && p.data.final), 'the continuation');
  assert.equal(chat.error, undefined);
  assert.equal(exchanges.length, 2);
  await chunksOf(exchanges[0]);
  const continued = await chunksOf(exchanges[1]);
  assert.equal(continued.at(-1).messageMetadata.status, 'completed');

  assert.deepEqual(chat.messages.map(m => m.role), ['user', 'assistant']);
  const message = chat.messages[1];
  const tools = message.parts.filter(p => p.type === 'dynamic-tool');
  assert.deepEqual(tools.map(p => p.toolName), ['get_region', 'fetch_sales_data', 'fetch_sales_data', 'fetch_customer_data', 'calculate_growth']);
  assert.ok(tools.every(p => p.state === 'output-available'));
  assert.deepEqual(tools[0].output, { region: 'Europe' });
  assert.deepEqual(asked, tools.map(p => p.toolName));
  const result = message.parts.find(p => p.type === 'data-result').data.output;
  assert.match(result.summary, /The get_region tool answered \{"region":"Europe"\}/);
});

/** An AG-UI client on a new thread with the question, and a function that runs it once with get_weather offered. */
function agUiClient() {
  const wire = {};
  const threadId = newId();
  const agent = new HttpAgent({
    url: `${base}/api/agents/writer/ag-ui`, threadId, fetch: recordingFetch(wire),
    initialMessages: [{ id: newId(), role: 'user', content: question }],
  });
  const run = async () => {
    const runId = newId();
    let outcome;
    const warnings = await warningsOf(async () => { outcome = await agent.runAgent({ runId, tools: [weatherTool] }); });
    const events = await wireEvents(wire);
    assert.deepEqual(warnings, []);
    assert.deepEqual(events[0], { type: 'RUN_STARTED', threadId, runId });
    const last = events.at(-1);
    assert.deepEqual([last.type, last.threadId, last.runId, last.outcome], ['RUN_FINISHED', threadId, runId, undefined], 'a success, not an interrupt');
    return { events, outcome };
  };
  return { agent, run };
}

/** Our run behind the AG-UI ids: the ids we make start with it. */
const ourRunId = (start) => start.parentMessageId.slice(0, start.parentMessageId.lastIndexOf('-m'));

/**
 * The first run: it ends at the call, which the client holds in an assistant message; our run waits. Then the
 * client's tool message with `content` and a second run, whose events and the client's messages are checked.
 */
async function agUiRoundTrip(content) {
  const c = agUiClient();
  const { events: first, outcome } = await c.run();
  const starts = first.filter(e => e.type === 'TOOL_CALL_START');
  assert.equal(starts.length, 1);
  const [start] = starts;
  assert.equal(start.toolCallName, 'get_weather');
  assert.deepEqual(first.slice(-4).map(e => e.type), ['TOOL_CALL_START', 'TOOL_CALL_ARGS', 'TOOL_CALL_END', 'RUN_FINISHED']);
  const args = first.filter(e => e.type === 'TOOL_CALL_ARGS' && e.toolCallId === start.toolCallId).map(e => e.delta).join('');
  assert.deepEqual(JSON.parse(args), { city: 'Lisbon' });
  assert.ok(!first.some(e => e.type === 'TOOL_CALL_RESULT'));
  assert.deepEqual(c.agent.pendingInterrupts ?? [], []);
  const held = outcome.newMessages.find(m => m.role === 'assistant' && m.toolCalls?.some(t => t.id === start.toolCallId));
  assert.ok(held, 'the client holds the call in an assistant message');
  const runId = ourRunId(start);
  assert.equal(await statusOf(runId), 'waiting', 'the run waits in the store');

  c.agent.addMessage({ id: newId(), role: 'tool', toolCallId: start.toolCallId, content });
  const { events: second, outcome: answered } = await c.run();
  assert.ok(!second.some(e => e.type.startsWith('TOOL_CALL_')), 'the call and its result are the client\'s already');
  const text = second.filter(e => e.type === 'TEXT_MESSAGE_CONTENT').map(e => e.delta).join('');
  const answer = answered.newMessages.filter(m => m.role === 'assistant' && m.content).map(m => m.content).join('');
  assert.equal(answer, text);

  // The conversation as the client has it (besides the model's reasoning): the question, the call, its one result,
  // the answer; every id once.
  const messages = c.agent.messages;
  assert.equal(new Set(messages.map(m => m.id)).size, messages.length);
  const said = messages.filter(m => m.role !== 'reasoning');
  assert.deepEqual(said.map(m => m.role), ['user', 'assistant', 'tool', 'assistant']);
  assert.deepEqual(said[1].toolCalls.map(t => t.id), [start.toolCallId]);
  assert.deepEqual([said[2].toolCallId, said[2].content], [start.toolCallId, content]);
  assert.equal(said[3].content, text);
  return { text, runId, callId: start.toolCallId };
}

test('AG-UI HttpAgent: the call ends the run, the tool message goes on with the same run of ours', async () => {
  const weather = weatherIn('Lisbon');
  const { text, runId, callId } = await agUiRoundTrip(JSON.stringify(weather));

  assert.ok(text.includes(told(weather)), text);
  await assertCompletedWith(runId, callId, weather);
});

test('AG-UI HttpAgent: a result that is not JSON reaches the model as text', async () => {
  const { text, runId, callId } = await agUiRoundTrip('Sunny, 31 degrees');

  assert.ok(text.includes('The get_weather tool answered: Sunny, 31 degrees'), text);
  await assertCompletedWith(runId, callId, 'Sunny, 31 degrees');
});
