// Intervals of one period share one timer. Every link's heartbeat ticks once a second (peer-link.ts);
// each link started at another moment, so with 99 links Node's timer list woke the process up to
// 99 times a second, on every one of a settled floor's 100 hosts. Sharing one timer per period
// wakes it once a second whatever the number of links. What a tick does is unchanged: each link's
// callback still reads the clock and judges its own deadlines.
import type { Clock, TimerHandle } from './clock.js';

interface Member {
  fn: () => void;
  referenced: boolean;
}

interface Group {
  timer: TimerHandle & { ref?(): unknown };
  members: Set<Member>;
}

/** `clock`, whose setInterval shares one timer per period. A shared timer keeps the process alive
 * only while one of its intervals does (unref, as Node's own). */
export function sharingIntervals(clock: Clock): Clock {
  const groups = new Map<number, Group>();
  const handles = new WeakMap<TimerHandle, { period: number; member: Member }>();

  const updateRef = (group: Group): void => {
    if ([...group.members].some((m) => m.referenced)) group.timer.ref?.();
    else group.timer.unref?.();
  };

  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (handle) => clock.clearTimeout(handle),
    setInterval(fn, ms) {
      let group = groups.get(ms);
      if (!group) {
        const members = new Set<Member>();
        const timer = clock.setInterval(() => {
          // As if each had its own timer: one that throws does not stop the others, and its error
          // still surfaces (the first one, once they have all run).
          const failures: unknown[] = [];
          for (const member of [...members]) {
            if (!members.has(member)) continue; // cleared by an earlier callback of this tick
            try {
              member.fn();
            } catch (error) {
              failures.push(error);
            }
          }
          if (failures.length > 0) throw failures[0];
        }, ms);
        group = { timer, members };
        groups.set(ms, group);
      }
      const member: Member = { fn, referenced: true };
      group.members.add(member);
      updateRef(group);
      const owner = group;
      const handle: TimerHandle = {
        unref() {
          member.referenced = false;
          updateRef(owner);
          return handle;
        },
      };
      handles.set(handle, { period: ms, member });
      return handle;
    },
    clearInterval(handle) {
      const entry = handles.get(handle);
      if (!entry) return clock.clearInterval(handle);
      handles.delete(handle);
      const group = groups.get(entry.period);
      if (!group) return;
      group.members.delete(entry.member);
      if (group.members.size > 0) return void updateRef(group);
      clock.clearInterval(group.timer);
      groups.delete(entry.period);
    },
  };
}
