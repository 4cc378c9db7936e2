// doctor's output: a checklist for people, or one JSON object for scripts and tests.
import { jsonLine } from '../json-line.js';
import { type Finding, problemsOf } from './finding.js';

const MARK: Record<Finding['status'], string> = { ok: 'ok  ', info: '·   ', warn: 'WARN', fail: 'FAIL' };

export interface DoctorReport {
  profile: string;
  /** 'running': asked the lanchat running on the profile; 'temporary': doctor started one. */
  node: 'running' | 'temporary' | 'none';
  findings: Finding[];
}

export function reportJson(report: DoctorReport): string {
  const problems = problemsOf(report.findings);
  return jsonLine({ type: 'doctor', healthy: problems.length === 0, ...report, problems });
}

export function reportText(report: DoctorReport): string {
  const lines = [`lanchat doctor — profile ${report.profile}`];
  for (const f of report.findings) {
    lines.push(`${MARK[f.status]}  ${f.check.padEnd(10)} ${f.message}`);
    if (f.fix && f.status !== 'ok') lines.push(`${' '.repeat(17)}→ ${f.fix}`);
  }
  const problems = problemsOf(report.findings);
  lines.push('');
  if (problems.length === 0) lines.push('healthy: no problem found');
  else {
    lines.push(`${problems.length} problem(s):`);
    for (const p of problems) lines.push(`  - ${p.message}${p.fix ? ` → ${p.fix}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
