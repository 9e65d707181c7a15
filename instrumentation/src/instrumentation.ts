/**
 * TokentraceInstrumentation: turns every LLM HTTP call into a GenAI CLIENT span, at the HTTP
 * layer (global fetch, node:http/https and node:http2), whatever SDK made it. Usable on its own in an app's
 * `NodeSDK({ instrumentations: [...] })`, after any HTTP instrumentation in that list so that
 * HTTP spans nest under the GenAI span; `register` sets all of this up from the environment.
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { setContentCaptureEnabled } from './agent/content-setting.js';
import { Http2Capture, type Http2Module } from './capture/http2-capture.js';
import type { CaptureDeps } from './capture/llm-call.js';
import { NodeHttpCapture, type HttpModule } from './capture/node-http-capture.js';
import { ResendTracker } from './capture/resend-count.js';
import { UndiciCapture } from './capture/undici-capture.js';
import { resolveConfig, type ResolvedConfig } from './config.js';
import type { GateChain } from './gate/gate-chain.js';
import { createGateChain } from './gate/gates-from-config.js';
import { withLimitsGate } from './limits/limits-gate.js';
import { EndpointRegistry } from './providers/endpoint-registry.js';
import { createGenAiMetrics, type GenAiMetrics } from './telemetry/genai-metrics.js';
import type { DeferredSpans } from './sdk/deferred-span.js';
import type { TokentraceInstrumentationConfig } from './types.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './version.js';

/** What the SDK tokentrace started lends its instrumentation. */
export interface OwnSdkParts {
  deferredSpans: DeferredSpans;
}

export class TokentraceInstrumentation extends InstrumentationBase<TokentraceInstrumentationConfig> {
  // `declare`d, not initialized: the base constructor calls enable() before field initializers run.
  private declare resolved?: ResolvedConfig;
  private declare registry?: EndpointRegistry;
  private declare metrics?: GenAiMetrics;
  private declare resends?: ResendTracker;
  private declare undiciCapture?: UndiciCapture;
  private declare httpCapture?: NodeHttpCapture;
  private declare http2Capture?: Http2Capture;
  /** null: resolved, no gate; undefined: not built yet. */
  private declare gates?: GateChain | null;

  constructor(
    config: TokentraceInstrumentationConfig = {},
    /** Given by startTokentrace when it started the SDK (not part of the public API). */
    private readonly ownSdk?: OwnSdkParts,
  ) {
    super(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, config);
  }

  /**
   * fetch is patched directly in enable() (a global); node:http, node:https and node:http2 in
   * enable() when already loaded, else when first required, through the require hook the
   * OpenTelemetry instrumentations share (loading them at start would cost every process
   * ~7, ~20 and ~10–30 ms), after instrumentation-http's own patch (NodeHttpCapture.enable).
   */
  protected override init(): InstrumentationNodeModuleDefinition[] {
    // Undone by disable() (NodeHttpCapture.disable, Http2Capture.disable), which restore what they wrapped.
    const http = (name: 'http' | 'https') =>
      new InstrumentationNodeModuleDefinition(name, ['*'], (exports: HttpModule) => this.httpCapture?.patchModule(name, exports) ?? exports);
    return [
      http('http'),
      http('https'),
      new InstrumentationNodeModuleDefinition('http2', ['*'], (exports: Http2Module) => this.http2Capture?.patchModule(exports) ?? exports),
    ];
  }

  override setConfig(config: TokentraceInstrumentationConfig = {}): void {
    super.setConfig(config);
    this.applyConfig();
  }

  override enable(): void {
    this.applyConfig();
    this.undiciCapture ??= new UndiciCapture(() => this.captureDeps(), () => this.endpointRegistry());
    this.httpCapture ??= new NodeHttpCapture(() => this.captureDeps(), () => this.endpointRegistry());
    this.http2Capture ??= new Http2Capture(() => this.captureDeps(), () => this.endpointRegistry());
    this.undiciCapture.enable();
    this.httpCapture.enable();
    this.http2Capture.enable();
    super.enable(); // the require hooks of node:http, node:https and node:http2 (init)
  }

  override disable(): void {
    this.undiciCapture?.disable();
    this.httpCapture?.disable();
    this.http2Capture?.disable();
    super.disable();
    void this.gates?.close();
    this.gates = undefined;
  }

  protected override _updateMetricInstruments(): void {
    this.metrics = createGenAiMetrics(this.meter, this.resolved?.latestExperimentalSemconv ?? false);
  }

  private applyConfig(): void {
    this.resolved = resolveConfig(this.getConfig());
    const { endpoints, detection, allowHosts, denyHosts } = this.resolved;
    this.registry = new EndpointRegistry(endpoints, { detection, allowHosts, denyHosts });
    setContentCaptureEnabled(this.resolved.captureMessageContent);
    this.metrics = undefined; // the semconv choice may have changed; instruments are made again on first use
    void this.gates?.close();
    this.gates = undefined; // built on first use, from the new config
  }

  private endpointRegistry(): EndpointRegistry {
    if (!this.registry) this.applyConfig();
    return this.registry!;
  }

  private captureDeps(): CaptureDeps {
    if (!this.resolved) this.applyConfig();
    this.metrics ??= createGenAiMetrics(this.meter, this.resolved!.latestExperimentalSemconv);
    this.resends ??= new ResendTracker();
    if (this.gates === undefined) this.gates = withLimitsGate(createGateChain(this.resolved!), this.resolved!);
    return {
      tracer: this.tracer,
      metrics: this.metrics,
      config: this.resolved!,
      resends: this.resends,
      gates: this.gates ?? undefined,
      deferredSpans: this.ownSdk?.deferredSpans,
    };
  }
}
