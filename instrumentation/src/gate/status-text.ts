/** The reason phrase for a status when a local response names none (Node's own table). */
import { STATUS_CODES } from 'node:http';

export function statusText(status: number): string {
  return STATUS_CODES[status] ?? '';
}
