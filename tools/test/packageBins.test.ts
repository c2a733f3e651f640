import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// npm links a package's commands at install time, before anything is built: in a fresh clone, `npm ci` would
// not link a command whose file lives in dist/, and `npx fbnas` would not be found. Commands must point to
// files checked into the repository.
describe('package commands', () => {
  const root = join(__dirname, '..', '..');
  const bins = readdirSync(join(root, 'packages')).flatMap((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { bin?: Record<string, string>; files?: string[] };
    return Object.entries(pkg.bin ?? {}).map(([name, file]) => ({ dir, name, file, files: pkg.files ?? [] }));
  });

  it('exist', () => {
    expect(bins.map((b) => b.name)).toContain('fbnas');
  });

  it.each(bins.map((b) => [b.name, b] as const))('%s points to a checked-in file that the package publishes', (_name, b) => {
    expect(b.file.startsWith('./dist/')).toBe(false);
    expect(existsSync(join(root, 'packages', b.dir, b.file))).toBe(true);
    expect(b.files).toContain(b.file.replace(/^\.\//, '').split('/')[0]);
  });
});
