/**
 * Builders for message parts in the conventions' JSON shape (gen-ai-input-messages.json /
 * gen-ai-output-messages.json), shared by all codecs, and the text extraction that feeds token
 * estimation when a provider reports no usage.
 */
import type { InputMessage, MessagePart, OutputMessage } from './types.js';

export function textPart(content: string): MessagePart {
  return { type: 'text', content };
}

export function reasoningPart(content: string): MessagePart {
  return { type: 'reasoning', content };
}

export function toolCallPart(id: string | undefined, name: string, args: unknown): MessagePart {
  const part: MessagePart = { type: 'tool_call', name };
  if (id !== undefined) part.id = id;
  if (args !== undefined) part.arguments = args;
  return part;
}

export function toolResponsePart(id: string | undefined, response: unknown): MessagePart {
  return id === undefined ? { type: 'tool_call_response', response } : { type: 'tool_call_response', id, response };
}

/** Inline bytes (base64). `modality` is image | audio | video | document; `transcript` is for audio. */
export function blobPart(modality: string, mimeType: string | undefined, content: string, transcript?: string): MessagePart {
  const part: Record<string, unknown> & { type: string } = { type: 'blob', modality };
  if (mimeType !== undefined) part.mime_type = mimeType;
  part.content = content;
  if (transcript) part.transcript = transcript;
  return part;
}

export function uriPart(modality: string, uri: string, mimeType?: string): MessagePart {
  return mimeType === undefined ? { type: 'uri', modality, uri } : { type: 'uri', modality, uri, mime_type: mimeType };
}

/** A file uploaded to the provider beforehand, referenced by id (FilePart). */
export function filePart(modality: string, fileId: string, mimeType?: string): MessagePart {
  return mimeType === undefined ? { type: 'file', modality, file_id: fileId } : { type: 'file', modality, file_id: fileId, mime_type: mimeType };
}

/**
 * A URL as sent by OpenAI-style APIs: a base64 `data:` URL becomes a blob part (the payload is a
 * slice of the original string, not a copy), anything else a uri part.
 */
export function urlPart(url: string, modality: string): MessagePart {
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    const header = comma === -1 ? '' : url.slice(5, comma);
    if (header.endsWith(';base64')) {
      const mime = header.slice(0, header.indexOf(';')) || undefined;
      return blobPart(mime ? modalityOf(mime, modality) : modality, mime, url.slice(comma + 1));
    }
  }
  return uriPart(modality, url);
}

/** The conventions' modality for a MIME type: image, audio, video, else document. */
export function modalityOf(mimeType: string | undefined, fallback = 'document'): string {
  if (!mimeType) return fallback;
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (mimeType.startsWith('video/')) return 'video';
  return 'document';
}

/** Joins collected pieces once; a single piece is returned as is (no copy). */
export function joinText(pieces: readonly string[], separator = '\n'): string {
  if (pieces.length === 0) return '';
  if (pieces.length === 1) return pieces[0];
  return pieces.join(separator);
}

/**
 * Pushes the text of parts that the model reads or writes as tokens: text, reasoning, tool-call
 * arguments, tool results and audio transcripts. Media is not text and is left out.
 */
export function collectPartText(parts: readonly MessagePart[], out: string[]): void {
  for (const part of parts) {
    switch (part.type) {
      case 'text':
      case 'reasoning':
        if (typeof part.content === 'string' && part.content.length > 0) out.push(part.content);
        break;
      case 'tool_call':
        pushValue(part.arguments, out);
        break;
      case 'tool_call_response':
        pushValue(part.response, out);
        break;
      case 'blob': {
        const transcript = (part as Record<string, unknown>).transcript;
        if (typeof transcript === 'string' && transcript.length > 0) out.push(transcript);
        break;
      }
    }
  }
}

function pushValue(value: unknown, out: string[]): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string') {
    if (value.length > 0) out.push(value);
    return;
  }
  try {
    const json = JSON.stringify(value);
    if (json) out.push(json);
  } catch {
    // Values here come from JSON.parse, so this cannot happen; never throw into the app anyway.
  }
}

/** inputText: system instructions, then every input message, one piece per part. */
export function inputTextOf(system: readonly MessagePart[] | undefined, messages: readonly InputMessage[] | undefined): string {
  const pieces: string[] = [];
  if (system) collectPartText(system, pieces);
  if (messages) for (const m of messages) collectPartText(m.parts, pieces);
  return joinText(pieces);
}

/** outputText: every output message's text, reasoning and tool-call arguments. */
export function outputTextOf(messages: readonly OutputMessage[]): string {
  const pieces: string[] = [];
  for (const m of messages) collectPartText(m.parts, pieces);
  return joinText(pieces);
}
