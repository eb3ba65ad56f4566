// Event ingestion: sources (sockets per monitor family), the pipeline with
// loss accounting, and sinks (lines, pcapng, NATS JetStream).
export * from './event.js';
export { Pipeline, runPipeline, type Sink, type PipelineOptions } from './pipeline.js';
export { openSource, MONITOR_FAMILIES, type MonitorFamily, type Source, type SourceEvent, type SourceOptions, type SourceOutput } from './sources.js';
export { eventRecord, jsonLine, textLine } from './format.js';
export { OutputSink, FileSink, type LineFormat } from './sinks/stream.js';
export { PcapngSink } from './sinks/pcapng.js';
export { JetStreamSink, subjectToken, type JetStreamSinkOptions } from './sinks/nats.js';
export { LimitSink } from './sinks/limit.js';
