// Shared by the scripts: the app's base URL (the first argument), fresh ids, and the UI stream read two ways.
import { randomUUID } from 'node:crypto';
import { DefaultChatTransport, readUIMessageStream } from 'ai';

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
