// Runs every test/*.test.ts in its own process (each starts its own servers and native WebRTC
// stacks), one at a time because media tests need both cores, then prints one summary line.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let passed = 0;
let failed = 0;
const failures: string[] = [];
for (const file of files) {
  console.log(`\n▶ ${file}`);
  const started = Date.now();
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, file)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
    child.stdout.on('data', (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
  const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const ok = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const bad = Math.max(total - ok, code === 0 ? 0 : 1);
  passed += ok;
  failed += bad;
  if (bad) failures.push(file);
  console.log(`  ${file}: ${ok} passed, ${bad} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
if (failures.length) console.log(`\nfailing: ${failures.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
