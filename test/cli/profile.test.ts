import { describe, expect, it } from 'vitest';
import { resolveProfileDir } from '../../src/cli/profile.js';

describe('resolveProfileDir', () => {
  const home = '/home/u';
  const cwd = '/work';

  it('prefers --profile, resolved against the working directory', () => {
    expect(resolveProfileDir({ flag: 'rel', env: { LANCHAT_PROFILE: '/env' }, home, cwd })).toBe('/work/rel');
    expect(resolveProfileDir({ flag: '/abs', env: {}, home, cwd })).toBe('/abs');
  });

  it('expands a leading ~ that the shell did not', () => {
    expect(resolveProfileDir({ flag: '~/lc', env: {}, home, cwd })).toBe('/home/u/lc');
    expect(resolveProfileDir({ flag: '~', env: {}, home, cwd })).toBe('/home/u');
  });

  it('then LANCHAT_PROFILE', () => {
    expect(resolveProfileDir({ env: { LANCHAT_PROFILE: '/env', XDG_CONFIG_HOME: '/xdg' }, home, cwd })).toBe(
      '/env',
    );
  });

  it('then $XDG_CONFIG_HOME/lanchat, ignoring a relative XDG_CONFIG_HOME as the spec says', () => {
    expect(resolveProfileDir({ env: { XDG_CONFIG_HOME: '/xdg' }, home, cwd })).toBe('/xdg/lanchat');
    expect(resolveProfileDir({ env: { XDG_CONFIG_HOME: 'xdg' }, home, cwd })).toBe('/home/u/.config/lanchat');
  });

  it('then ~/.config/lanchat; empty variables count as unset', () => {
    expect(resolveProfileDir({ env: {}, home, cwd })).toBe('/home/u/.config/lanchat');
    expect(resolveProfileDir({ env: { LANCHAT_PROFILE: '', XDG_CONFIG_HOME: '' }, home, cwd })).toBe(
      '/home/u/.config/lanchat',
    );
  });
});
