/** The reason phrase for a status when a local response names none (Node's own table). */
import { http } from '../capture/lazy-builtins.js';

export function statusText(status: number): string {
  return http().STATUS_CODES[status] ?? '';
}
