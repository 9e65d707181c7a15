// The replies an emulator will give: a FIFO of scripted replies, then a default reply for
// every call once the queue is empty. Scripted replies are layered over the default reply, so a
// test can set a default text once and enqueue only the token counts it cares about (except that a
// queued tool call without text does not inherit the default text).
import { validateScriptedReply, type ScriptedReply } from './scripted-reply.js';

export class ReplyQueue {
  readonly #initialDefault: ScriptedReply;
  #defaultReply: ScriptedReply;
  #queue: ScriptedReply[] = [];

  constructor(defaultReply: ScriptedReply = {}) {
    validateScriptedReply(defaultReply);
    this.#initialDefault = defaultReply;
    this.#defaultReply = defaultReply;
  }

  /** Appends replies; each is used by exactly one later call, in order. */
  enqueue(replies: readonly ScriptedReply[]): void {
    for (const reply of replies) validateScriptedReply({ ...this.#defaultReply, ...reply });
    this.#queue.push(...replies);
  }

  setDefault(reply: ScriptedReply): void {
    validateScriptedReply(reply);
    this.#defaultReply = reply;
  }

  /** The next reply (scripted over default), or the default when nothing is queued. */
  next(): ScriptedReply {
    const scripted = this.#queue.shift();
    if (scripted === undefined) return this.#defaultReply;
    const merged = { ...this.#defaultReply, ...scripted };
    // A queued tool call without text means "only a tool call", not the default text plus one.
    if (scripted.toolCall && scripted.text === undefined) delete merged.text;
    return merged;
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Drops queued replies and restores the default the emulator started with. */
  reset(): void {
    this.#queue = [];
    this.#defaultReply = this.#initialDefault;
  }
}
