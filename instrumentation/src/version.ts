/** Name and version under which tokentrace's tracer and meter report. */
export const INSTRUMENTATION_NAME = '@tokentrace/instrumentation';
export const INSTRUMENTATION_VERSION = '0.1.0';
