/**
 * Another instrumentation's span for the same call (the SDK's own, as @anthropic-ai/sdk opens,
 * or OpenLLMetry's), seen through the Span interface: tokentrace only adds the attributes that
 * span lacks. Its name, status, events and end stay with its owner.
 */
import type { Attributes, AttributeValue, Span } from '@opentelemetry/api';

export function borrowedSpan(span: Span): Span {
  const present = (): Attributes => (span as { attributes?: Attributes }).attributes ?? {};
  const facade: Span = {
    spanContext: () => span.spanContext(),
    isRecording: () => span.isRecording(),
    setAttribute(key: string, value: AttributeValue) {
      if (present()[key] === undefined) span.setAttribute(key, value);
      return facade;
    },
    setAttributes(attributes: Attributes) {
      const have = present();
      const missing: Attributes = {};
      for (const key of Object.keys(attributes)) if (have[key] === undefined) missing[key] = attributes[key];
      span.setAttributes(missing);
      return facade;
    },
    addEvent: () => facade,
    addLink: () => facade,
    addLinks: () => facade,
    setStatus: () => facade,
    updateName: () => facade,
    end: () => undefined,
    recordException: () => undefined,
  };
  return facade;
}
