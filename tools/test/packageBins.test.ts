import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// In a fresh clone `npm ci` runs before anything is built, and it links the commands of a workspace package
// into node_modules/.bin only when the root package depends on it: `npx fbnas` was not found otherwise.
// Commands must point to files checked into the repository, and the root must list their packages.
describe('package commands', () => {
  const root = join(__dirname, '..', '..');
  const bins = readdirSync(join(root, 'packages')).flatMap((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string; version: string; bin?: Record<string, string>; files?: string[] };
    return Object.entries(pkg.bin ?? {}).map(([name, file]) => ({ dir, name, file, files: pkg.files ?? [], pkg: pkg.name, version: pkg.version }));
  });

  it('exist', () => {
    expect(bins.map((b) => b.name)).toContain('fbnas');
  });

  it.each(bins.map((b) => [b.name, b] as const))('%s points to a checked-in file that the package publishes', (_name, b) => {
    expect(b.file.startsWith('./dist/')).toBe(false);
    expect(existsSync(join(root, 'packages', b.dir, b.file))).toBe(true);
    expect(b.files).toContain(b.file.replace(/^\.\//, '').split('/')[0]);
    const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    expect(rootPkg.devDependencies?.[b.pkg]).toBe(b.version);
  });
});
