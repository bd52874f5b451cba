#!/usr/bin/env node
/**
 * The `fairscope` command. Each subcommand is one file in ./commands exporting `summary` and
 * `run(argv)`; this file only finds and dispatches them, and turns errors into exit codes.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EXIT, FairscopeError } from '../core/errors.js';

export interface Command {
  /** One line for `fairscope --help`. */
  summary: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
const ext = fileURLToPath(import.meta.url).endsWith('.ts') ? '.ts' : '.js';

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith(ext) && !f.endsWith(`.test${ext}`) && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -ext.length))
    .sort();
}

async function loadCommand(name: string): Promise<Command> {
  return (await import(pathToFileURL(join(commandsDir, `${name}${ext}`)).href)) as Command;
}

async function printHelp(): Promise<void> {
  const lines = ['usage: fairscope <command> [options]', '', 'commands:'];
  for (const name of commandNames()) {
    const cmd = await loadCommand(name);
    lines.push(`  ${name.padEnd(18)} ${cmd.summary}`);
  }
  lines.push('', 'Run `fairscope <command> --help` for the options of one command.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await printHelp();
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    process.stdout.write('fairscope 0.1.0\n');
    return EXIT.ok;
  }
  const names = commandNames();
  if (!names.includes(name)) {
    process.stderr.write(`fairscope: unknown command "${name}"; commands are: ${names.join(', ')}\n`);
    return EXIT.usage;
  }
  try {
    return await (await loadCommand(name)).run(rest);
  } catch (err) {
    if (err instanceof FairscopeError) {
      process.stderr.write(`fairscope ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`fairscope ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `fairscope: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = EXIT.failure;
    },
  );
}
