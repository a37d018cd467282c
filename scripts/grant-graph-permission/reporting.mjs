// How the script reports: the error it stops with (printed without a stack) and the commands it shows.
export class ScriptError extends Error {}

export function printCommand(line) {
  console.log(`    ${line}`);
}
