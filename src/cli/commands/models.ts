export const summary = 'list the built-in models with their preprocessing';

export async function run(_argv: string[]): Promise<number> {
  process.stdout.write('no built-in models yet\n');
  return 0;
}
