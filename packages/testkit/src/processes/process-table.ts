import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  comm: string;
}

/** Every process on the machine, from /proc (Linux only, like CI): no `ps` needed. */
export function listProcesses(): ProcessInfo[] {
  const list: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // `pid (comm) state ppid pgrp …`; comm may contain spaces and parentheses.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    if (fields[0] === 'Z') continue; // a zombie is already dead, only not yet reaped
    list.push({
      pid: Number(entry),
      comm: stat.slice(stat.indexOf('(') + 1, close),
      ppid: Number(fields[1]),
      pgrp: Number(fields[2]),
    });
  }
  return list;
}

export function descendantsOf(pid: number): ProcessInfo[] {
  const all = listProcesses();
  const found: ProcessInfo[] = [];
  const parents = new Set([pid]);
  let isGrowing = true;
  while (isGrowing) {
    isGrowing = false;
    for (const info of all) {
      if (parents.has(info.ppid) && !parents.has(info.pid)) {
        parents.add(info.pid);
        found.push(info);
        isGrowing = true;
      }
    }
  }
  return found;
}

export function processGroupMembers(pgid: number): ProcessInfo[] {
  return listProcesses().filter((info) => info.pgrp === pgid);
}

export function isAlive(pid: number): boolean {
  return listProcesses().some((info) => info.pid === pid);
}
