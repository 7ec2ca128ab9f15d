// What a dead-lettered message carries: its own key, value and headers, plus where it came from and why.
import type { ConsumedMessage, ProducedMessage } from "../client/contract.ts";

export const deadLetterHeaders = {
  topic: "lagpilot.dlq.original.topic",
  partition: "lagpilot.dlq.original.partition",
  offset: "lagpilot.dlq.original.offset",
  error: "lagpilot.dlq.error.message",
  attempts: "lagpilot.dlq.attempts",
  firstFailureTime: "lagpilot.dlq.first.failure.time",
} as const;

/** Longest error text kept in a header; stack traces and huge messages stay in the logs. */
const maxErrorLength = 1024;

export interface Failure {
  error: unknown;
  attempts: number;
  /** Milliseconds since the epoch of the first failed attempt. */
  firstFailureAt: number;
}

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > maxErrorLength ? `${text.slice(0, maxErrorLength - 3)}...` : text;
}

export function deadLetterMessage(message: ConsumedMessage, failure: Failure): ProducedMessage {
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [deadLetterHeaders.topic]: message.topic,
      [deadLetterHeaders.partition]: String(message.partition),
      [deadLetterHeaders.offset]: String(message.offset),
      [deadLetterHeaders.error]: errorText(failure.error),
      [deadLetterHeaders.attempts]: String(failure.attempts),
      [deadLetterHeaders.firstFailureTime]: new Date(failure.firstFailureAt).toISOString(),
    },
  };
}
