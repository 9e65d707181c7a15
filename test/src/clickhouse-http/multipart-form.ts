/**
 * The `multipart/form-data` body `@clickhouse/client` sends with `use_multipart_params` (or when
 * query parameters outgrow the URL): a `query` field and one `param_<name>` field per query
 * parameter (client-common utils/multipart.ts). ClickHouse then reads the statement from the
 * fields only, not from the rest of the body. File parts (ClickHouse's "external data") are not
 * supported here.
 */
import { exceptions } from './clickhouse-exception.js';

export interface FormField {
  name: string;
  value: string;
}

/** The fields of `body`, in order; `contentType` carries the boundary. */
export function parseMultipartForm(body: string, contentType: string): FormField[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (!delimiter) throw exceptions.badArguments('multipart/form-data request without a boundary');
  const fields: FormField[] = [];
  const parts = body.split(`--${delimiter}`);
  // parts[0] is the preamble; the part after the closing delimiter starts with "--".
  for (const part of parts.slice(1)) {
    if (part.startsWith('--')) break;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw exceptions.badArguments('malformed multipart/form-data part: no blank line after its headers');
    const headers = part.slice(0, headerEnd);
    let value = part.slice(headerEnd + 4);
    if (value.endsWith('\r\n')) value = value.slice(0, -2);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw exceptions.badArguments('malformed multipart/form-data part: no field name');
    if (/\bfilename=/i.test(disposition)) throw exceptions.notImplemented(`external data (the file part '${name}') is not supported`);
    fields.push({ name, value });
  }
  return fields;
}
