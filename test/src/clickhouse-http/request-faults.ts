/**
 * Faults a test scripts for the next query requests (pings and requests refused for their
 * credentials do not take one), first in, first out. Each is explicit synchronisation rather than
 * a timing guess: a held request waits for the test's release(), not for a clock.
 */
import type { ClickHouseException } from './clickhouse-exception.js';

/** A request held after its body was read and before it runs (`holdNext()`). */
export interface HeldRequest {
  /** Resolves once a request is being held. */
  readonly arrived: Promise<void>;
  /** Lets the held request run (or, if it has not arrived yet, lets it through when it does). */
  release(): void;
}

export type RequestFault =
  /** Answer this exception; nothing runs. */
  | { kind: 'fail'; exception: ClickHouseException }
  /** Wait for the hold's release (or the server's kill()) before running. */
  | { kind: 'hold'; hold: RequestHold }
  /** Cut the connection without an answer, before or after the statement ran. */
  | { kind: 'drop'; afterExecute: boolean };

export class RequestHold implements HeldRequest {
  readonly arrived: Promise<void>;
  readonly #arrive: () => void;
  readonly #released: Promise<void>;
  #release!: () => void;

  constructor() {
    let arrive!: () => void;
    this.arrived = new Promise<void>((resolve) => { arrive = resolve; });
    this.#arrive = arrive;
    this.#released = new Promise<void>((resolve) => { this.#release = resolve; });
  }

  release(): void {
    this.#release();
  }

  /** Holds the request: true once released, false if the server was killed first. */
  async wait(killed: Promise<void>): Promise<boolean> {
    this.#arrive();
    return Promise.race([this.#released.then(() => true), killed.then(() => false)]);
  }
}
