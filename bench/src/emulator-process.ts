/**
 * Runs the OpenAI emulator and an OTLP sink in a process of their own, so that a benchmark
 * measures only the app side: no server work, and no server-side HTTP spans, in the measured
 * process. argv[2]: the server's delay before answering (streams: before the first chunk), in ms.
 * Prints `{"openai": url, "otlp": url}` on one line; exits when stdin closes.
 */
import { OtlpReceiver, startOpenAIEmulator } from '@tokentrace/test';

const emulator = await startOpenAIEmulator({ firstChunkDelayMs: Number(process.argv[2] ?? 0) });
emulator.setDefaultReply({ text: 'The quick brown fox jumps over the lazy dog.', inputTokens: 25, outputTokens: 10 });
const sink = await OtlpReceiver.start();
// The sink keeps nothing: a benchmark sends tens of thousands of spans.
setInterval(() => sink.reset(), 1000).unref();
process.stdout.write(`${JSON.stringify({ openai: emulator.url, openaiBase: emulator.baseUrl, otlp: sink.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
