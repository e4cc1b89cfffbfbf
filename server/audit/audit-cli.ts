// `npm run audit -- verify|export [--file PATH] [--redis URL] [--from ISO] [--to ISO]`
// verify: walks the hash chain and names the first edited, removed or inserted entry (exit 1).
// export: prints the entries as NDJSON. Defaults to ONAIR_AUDIT_LOG / REDIS_URL like the server.
import { parseArgs } from 'node:util';
import { AuditLog } from './audit-log.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { file: { type: 'string' }, redis: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
});
const command = positionals[0];
if (command !== 'verify' && command !== 'export') {
  console.error('usage: npm run audit -- verify|export [--file PATH] [--redis URL] [--from ISO] [--to ISO]');
  process.exit(2);
}
const redisUrl = values.redis ?? (values.file ? undefined : process.env.REDIS_URL || undefined);
const log = await AuditLog.open({ file: values.file ?? process.env.ONAIR_AUDIT_LOG ?? '.onair/audit.log', redisUrl });
try {
  if (command === 'export') {
    for await (const e of log.export({ from: values.from, to: values.to })) process.stdout.write(JSON.stringify(e) + '\n');
  } else {
    const report = await log.verify();
    if (report.ok) console.log(`audit log OK: ${report.entries} entries, chain intact (${log.kind})`);
    else console.log(`audit log BROKEN at entry seq ${report.problem!.seq ?? '?'} (line ${report.problem!.line}): ${report.problem!.reason}; ${report.entries} entries before it are intact`);
    process.exitCode = report.ok ? 0 : 1;
  }
} finally {
  await log.close();
}
