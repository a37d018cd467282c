// `image-sync emulator`: serve the local tenant until SIGINT or SIGTERM, printing what the app
// needs to reach it.
import type { Clock } from '../domain';
import { readEstateFile } from './parseEstate';
import { sampleEstate } from './sampleEstate';
import { startEmulator, type Emulator } from './startEmulator';

export interface ServeEmulatorOptions {
  /** Default 0: a free port. */
  readonly port?: number;
  /** An estate JSON file; default: the sample estate (estates/sample.json). */
  readonly estatePath?: string;
  /** Where the lines for the user go (default: stdout). */
  readonly log?: (line: string) => void;
  readonly seed?: number;
  readonly clock?: Clock;
  /** Stop on SIGINT and SIGTERM (default true). */
  readonly handleSignals?: boolean;
}

export interface ServedEmulator {
  readonly emulator: Emulator;
  /** Settles once the emulator has stopped (by a signal or by stop()). */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

export async function serveEmulator(options: ServeEmulatorOptions = {}): Promise<ServedEmulator> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const estate = options.estatePath === undefined ? sampleEstate() : await readEstateFile(options.estatePath);
  const emulator = await startEmulator({
    estate,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });

  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve;
  });
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await emulator.stop();
      log('Emulator stopped.');
      markStopped();
    })();
    return stopping;
  };
  const onSignal = () => void stop();
  if (options.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  log(`Tenant emulator (ARM managed images + Graph Cloud PC device images) on ${emulator.url}`);
  log(`Estate: ${options.estatePath ?? 'the sample estate (estates/sample.json)'}`);
  log(`Certificate: ${emulator.caCertificatePath} (trust it with NODE_EXTRA_CA_CERTS)`);
  log('Settings for the app (environment or local.settings.json Values):');
  for (const [name, value] of Object.entries(emulator.settings())) log(`  ${name}=${value}`);
  log('Stop with Ctrl+C.');
  return { emulator, stopped, stop };
}
