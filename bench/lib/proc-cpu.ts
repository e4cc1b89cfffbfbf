import { readdirSync, readFileSync } from 'node:fs';

// Linux reports process CPU time in clock ticks; 100 per second on every mainstream kernel config.
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  cpuSeconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = raw.lastIndexOf(')');
    const comm = raw.slice(raw.indexOf('(') + 1, close);
    const fields = raw.slice(close + 2).split(' ');
    // fields[0] = state, [1] = ppid, [11] = utime, [12] = stime (man 5 proc, minus pid and comm)
    return { pid, ppid: Number(fields[1]), comm, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by a process and all its live descendants, by command name. */
export function treeCpu(rootPid: number): Map<string, number> {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readStat(Number(d)))
    .filter((s): s is ProcStat => s !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const byName = new Map<string, number>();
  const visit = (s: ProcStat | undefined) => {
    if (!s) return;
    byName.set(s.comm, (byName.get(s.comm) ?? 0) + s.cpuSeconds);
    for (const c of children.get(s.pid) ?? []) visit(c);
  };
  visit(all.find((s) => s.pid === rootPid));
  return byName;
}

/** Measures the CPU % (100 = one core) of a process tree over `seconds`, per command name. */
export async function measureTreeCpu(rootPid: number, seconds: number): Promise<{ total: number; byName: Record<string, number> }> {
  const before = treeCpu(rootPid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = treeCpu(rootPid);
  const byName: Record<string, number> = {};
  let total = 0;
  for (const [name, cpu] of after) {
    const pct = ((cpu - (before.get(name) ?? 0)) / seconds) * 100;
    byName[name] = Math.round(pct * 10) / 10;
    total += pct;
  }
  return { total: Math.round(total * 10) / 10, byName };
}

/** CPU seconds per thread name of one process (/proc/PID/task), threads of the same name summed. */
export function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tasks) {
    const s = readTaskStat(pid, Number(tid));
    if (s) byName.set(s.comm, (byName.get(s.comm) ?? 0) + s.cpuSeconds);
  }
  return byName;
}

function readTaskStat(pid: number, tid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const close = raw.lastIndexOf(')');
    const fields = raw.slice(close + 2).split(' ');
    return { pid: tid, ppid: pid, comm: raw.slice(raw.indexOf('(') + 1, close), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** CPU % per thread name between two threadCpu readings `seconds` apart (threads under 1 % left out). */
export function threadCpuDelta(before: Map<string, number>, after: Map<string, number>, seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, cpu] of after) {
    const pct = ((cpu - (before.get(name) ?? 0)) / seconds) * 100;
    if (pct >= 1) out[name] = Math.round(pct * 10) / 10;
  }
  return out;
}
