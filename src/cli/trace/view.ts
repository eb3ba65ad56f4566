// `nlkit view [FILE] [--port N] [--host ADDR]`: serves the browser viewer
// (serveViewer in ../view.ts) with the capture, prints the address, and stays
// up until SIGINT/SIGTERM.

import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.js';
import { serveViewer, type ServeViewerOptions, type ViewerServer } from '../view.js';

const USAGE = `usage: nlkit view [FILE] [--port N] [--host ADDR]

Serves the capture viewer on the loopback address (127.0.0.1 unless --host)
and prints its URL; open it in a browser. With FILE the page opens that
capture at start; decoding happens in the browser. Ctrl-C stops the server.

  --port N      the TCP port (default: a free one)
  --host ADDR   the address to listen on (default 127.0.0.1)
`;

export interface ViewDependencies {
  serve?: (file: string | null, options: ServeViewerOptions) => Promise<ViewerServer>;
}

export function createViewCommand(deps: ViewDependencies = {}): Command {
  const serve = deps.serve ?? serveViewer;
  return {
    name: 'view',
    summary: 'serve the browser viewer for a capture and print its URL',
    usage: USAGE,
    async run(args, context) {
      const parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { port: { type: 'string' }, host: { type: 'string' } } });
      if (parsed.positionals.length > 1) throw new UsageError(`view takes one file, got also '${parsed.positionals[1]}'`);
      const options: ServeViewerOptions = {};
      if (parsed.values.port !== undefined) {
        const port = Number(parsed.values.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port needs a TCP port (0..65535), got '${parsed.values.port}'`);
        options.port = port;
      }
      if (parsed.values.host !== undefined) options.host = parsed.values.host;
      const server = await serve(parsed.positionals[0] ?? null, options);
      try {
        context.stdout.write(`${server.url}\n`);
        if (!context.signal.aborted) {
          await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
        }
      } finally {
        await server.close();
      }
      return 0;
    },
  };
}

export const viewCommand: Command = createViewCommand();
