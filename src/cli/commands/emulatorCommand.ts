import { type CliIo, UsageError } from '../cliIo';
import { type Command, parseCommandArgs } from '../command';
import { EXIT_OK } from '../statusReport';

/** The package leaves the emulator out, and its certificate library (selfsigned) is a development dependency. */
function emulatorInstalled(): boolean {
  try {
    require.resolve('../../emulator/serveEmulator.js');
    require.resolve('selfsigned');
    return true;
  } catch {
    return false;
  }
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'serve the local tenant (ARM + Graph over HTTPS) until stopped',
  help: `Usage: image-sync emulator [--port N] [--estate FILE]

Serves a local stand-in for Azure Resource Manager (managed images) and Microsoft Graph (Cloud PC
device images) over HTTPS on 127.0.0.1, seeded from an estate file (docs/emulator.md describes the
format; default: estates/sample.json). Prints the settings that point the app at it, including
NODE_EXTRA_CA_CERTS for its self-signed certificate. Stops on Ctrl+C. For trying the app and for
tests: it runs from a clone of the repository after npm ci (it needs the development dependencies),
and is not part of the installed package.

Options:
  --port N       the port (default: a free one)
  --estate FILE  the estate JSON
  -h, --help     this text`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      help: { type: 'boolean', short: 'h' },
      port: { type: 'string' },
      estate: { type: 'string' },
    });
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port "${values.port ?? ''}" is not a port number (0-65535)`);
    if (!emulatorInstalled()) {
      throw new Error(
        'the emulator is a development tool and is not part of the installed package: run it from a clone of the repository after npm ci (npx image-sync emulator there)',
      );
    }
    // Loaded on demand: the emulator and its certificate library are development dependencies.
    const { serveEmulator } = await import('../../emulator/serveEmulator.js');
    const served = await serveEmulator({ port, ...(values.estate === undefined ? {} : { estatePath: values.estate }), log: io.stdout });
    await served.stopped;
    return EXIT_OK;
  },
};
